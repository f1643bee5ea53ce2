package dev.portero.config;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Runs a scheduled job on one node of a cluster per occurrence. Every node's scheduler fires; the
 * node that takes the job's lease in {@code job_locks} (a conditional update, so one wins) runs
 * it, the others skip. The lease lasts {@code atMost} in case the node dies mid-job, and is held
 * at least {@code portero.cluster.min-job-spacing} (30 s) after the start, so a node whose clock
 * or scheduler is a little late does not run the same occurrence again.
 *
 * <p>Written by hand because ShedLock's JDBC provider, the library for exactly this, is not
 * available from the Maven repository this project builds from; the algorithm is ShedLock's.
 */
@Component
public class ClusterJobs {

	private static final Logger log = LoggerFactory.getLogger(ClusterJobs.class);

	private final JdbcClient jdbc;

	private final Clock clock;

	private final Duration minSpacing;

	private final String node;

	ClusterJobs(JdbcClient jdbc, Clock clock, @Value("${portero.cluster.min-job-spacing:30s}") Duration minSpacing) {
		this.jdbc = jdbc;
		this.clock = clock;
		this.minSpacing = minSpacing;
		this.node = ManagementFactory.getRuntimeMXBean().getName();
	}

	/** Runs {@code job} if this node takes the lease for {@code name}; returns whether it ran. */
	public boolean runOnce(String name, Duration atMost, Runnable job) {
		Instant start = clock.instant();
		jdbc.sql("""
				INSERT INTO job_locks (name, locked_until, locked_at, locked_by) VALUES (:name, 0, 0, '')
				ON CONFLICT (name) DO NOTHING""").param("name", name).update();
		int taken = jdbc.sql("""
				UPDATE job_locks SET locked_until = :until, locked_at = :now, locked_by = :node
				WHERE name = :name AND locked_until <= :now""")
			.param("until", start.plus(atMost).toEpochMilli())
			.param("now", start.toEpochMilli())
			.param("node", node)
			.param("name", name)
			.update();
		if (taken == 0) {
			log.debug("job {} runs on another node now", name);
			return false;
		}
		// the spacing counts from when the job really starts, not from before a wait for the lease row
		start = clock.instant();
		try {
			job.run();
			return true;
		}
		finally {
			long releaseAt = Math.max(clock.millis(), start.plus(minSpacing).toEpochMilli());
			jdbc.sql("UPDATE job_locks SET locked_until = :until WHERE name = :name AND locked_by = :node")
				.param("until", releaseAt)
				.param("name", name)
				.param("node", node)
				.update();
		}
	}

}
