# syntax=docker/dockerfile:1
# Portero's container image: docs/deployment.md#container-image.
#
#   docker build -t portero:1.2.3 .
#   docker run --read-only --tmpfs /tmp -v portero-data:/data -p 8080:8080 -p 127.0.0.1:9000:9000 portero:1.2.3
#
# Not built by this repository's CI (its machines have no Docker); keep it plain.

# ---- build: the same command as a developer's, on a JDK 25 ------------------------------------
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY src/ src/
# the cache mount keeps ~/.m2 between builds on one machine; the image never contains it
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -ntp -DskipTests package

# ---- run: a JRE and the jar, nothing else ------------------------------------------------------
FROM eclipse-temurin:25-jre
# A fixed, unprivileged id, so volume ownership and Kubernetes' runAsUser/fsGroup are predictable.
RUN groupadd --system --gid 10001 portero \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin portero \
    && mkdir /app /data \
    && chown 10001:10001 /data \
    && chmod 0700 /data
COPY --from=build /src/target/portero.jar /app/portero.jar

# SQLite database (single node), dev outbox; with PostgreSQL nothing of value is written here.
ENV PORTERO_DATA_DIR=/data
# Probes and metrics on every interface of the container (Portero's own default is loopback),
# so that the orchestrator's checks and Prometheus reach them. Publish 9000 only to those:
# docker run -p 8080:8080 leaves it unreachable from outside.
ENV MANAGEMENT_SERVER_ADDRESS=0.0.0.0
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 8080 9000

# Read-only root filesystem: everything written goes to /data or /tmp (Tomcat's work directory,
# the SQLite driver's native library), so mount a tmpfs on /tmp (docker run --tmpfs /tmp,
# Kubernetes emptyDir). java runs as PID 1 and gets SIGTERM itself: Portero then drains
# (PORTERO_SHUTDOWN_DRAIN_DELAY) and exits 143. More JVM options: JAVA_TOOL_OPTIONS.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp", "--enable-native-access=ALL-UNNAMED", "-jar", "/app/portero.jar"]
CMD ["serve"]
