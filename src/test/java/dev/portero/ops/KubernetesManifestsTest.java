package dev.portero.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import dev.portero.web.ShutdownSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The manifests in {@code deploy/kubernetes}. No Kubernetes schema validator (kubeconform) can be
 * installed here, so this test parses every file and checks what zero-downtime rollouts,
 * automatic rollback and a locked-down pod depend on.
 */
class KubernetesManifestsTest {

	private static final Path DIR = Path.of("deploy/kubernetes");

	private static final String POD_LABEL = "app.kubernetes.io/name";

	@Test
	void everyManifestParsesAndTheKustomizationListsAllButTheSecretExample() throws IOException {
		List<String> files;
		try (Stream<Path> list = Files.list(DIR)) {
			files = list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList();
		}
		for (String file : files) {
			for (Map<String, Object> document : documents(file)) {
				assertThat(document).as(file).containsKeys("apiVersion", "kind");
			}
		}
		Map<String, Object> kustomization = only("kustomization.yaml");
		List<String> resources = list(kustomization, "resources");
		assertThat(resources).containsExactlyInAnyOrderElementsOf(
				files.stream().filter(f -> !f.equals("kustomization.yaml") && !f.equals("secret.example.yaml")).toList());
		assertThat(resources).as("placeholders are never applied").doesNotContain("secret.example.yaml");
	}

	@Test
	void theDeploymentRollsOutWithoutLosingCapacityAndStopsABadRollout() throws IOException {
		Map<String, Object> deployment = only("deployment.yaml");
		Map<String, Object> spec = map(deployment, "spec");

		assertThat((Integer) spec.get("replicas")).isGreaterThanOrEqualTo(2);
		assertThat(map(spec, "strategy").get("type")).isEqualTo("RollingUpdate");
		Map<String, Object> rolling = map(map(spec, "strategy"), "rollingUpdate");
		assertThat(rolling.get("maxUnavailable")).isEqualTo(0);
		assertThat(rolling.get("maxSurge")).isEqualTo(1);
		assertThat((Integer) spec.get("progressDeadlineSeconds")).as("progressDeadlineSeconds").isBetween(60, 900);
		assertThat(map(map(spec, "selector"), "matchLabels")).isEqualTo(podLabels(deployment));
	}

	@Test
	void probesUseTheManagementPortAndResourcesAreBounded() throws IOException {
		Map<String, Object> container = container(only("deployment.yaml"));
		Map<String, Integer> ports = list(container, "ports").stream()
			.map(KubernetesManifestsTest::asMap)
			.collect(Collectors.toMap(p -> (String) p.get("name"), p -> (Integer) p.get("containerPort")));
		assertThat(ports).containsEntry("http", 8080).containsEntry("management", 9000);

		Map<String, String> probes = Map.of("startupProbe", "/actuator/health/liveness", "livenessProbe",
				"/actuator/health/liveness", "readinessProbe", "/actuator/health/readiness");
		probes.forEach((probe, path) -> {
			Map<String, Object> get = map(map(container, probe), "httpGet");
			assertThat(get.get("path")).as(probe).isEqualTo(path);
			Object port = get.get("port");
			assertThat(port instanceof String name ? ports.get(name) : port).as(probe + " port").isEqualTo(9000);
		});

		Map<String, Object> resources = map(container, "resources");
		for (String bound : List.of("requests", "limits")) {
			assertThat(map(resources, bound)).as(bound).containsKeys("cpu", "memory");
		}
		assertThat(map(resources, "limits").get("memory")).as("no more memory promised than may be used")
			.isEqualTo(map(resources, "requests").get("memory"));
	}

	@Test
	void thePodRunsAsTheImagesUserWithNothingItDoesNotNeed() throws IOException {
		Map<String, Object> deployment = only("deployment.yaml");
		Map<String, Object> pod = map(map(deployment, "spec"), "template");
		Map<String, Object> podSecurity = map(map(pod, "spec"), "securityContext");
		assertThat(podSecurity.get("runAsNonRoot")).isEqualTo(true);
		assertThat(map(podSecurity, "seccompProfile").get("type")).isEqualTo("RuntimeDefault");
		assertThat(podSecurity.get("runAsUser")).as("the Dockerfile's USER").isEqualTo(dockerfileUid());
		assertThat(map(pod, "spec").get("automountServiceAccountToken")).isEqualTo(false);

		Map<String, Object> container = container(deployment);
		Map<String, Object> security = map(container, "securityContext");
		assertThat(security.get("allowPrivilegeEscalation")).isEqualTo(false);
		assertThat(security.get("readOnlyRootFilesystem")).isEqualTo(true);
		assertThat(security.get("runAsNonRoot")).isEqualTo(true);
		assertThat(list(map(security, "capabilities"), "drop")).containsExactly("ALL");

		String image = (String) container.get("image");
		assertThat(image).as("a pinned image").matches(".+:[^:/]+|.+@sha256:[0-9a-f]{64}").doesNotEndWith(":latest");
		String kustomizedTag = (String) asMap(list(only("kustomization.yaml"), "images").getFirst()).get("newTag");
		assertThat(kustomizedTag).isNotBlank().isNotEqualTo("latest");

		Set<String> emptyDirs = list(map(pod, "spec"), "volumes").stream()
			.map(KubernetesManifestsTest::asMap)
			.filter(v -> v.containsKey("emptyDir"))
			.map(v -> (String) v.get("name"))
			.collect(Collectors.toSet());
		assertThat(list(container, "volumeMounts")).as("a writable /tmp on a read-only root filesystem")
			.map(KubernetesManifestsTest::asMap)
			.anyMatch(m -> "/tmp".equals(m.get("mountPath")) && emptyDirs.contains(m.get("name")));
	}

	@Test
	void kubernetesWaitsLongerThanTheDrainAndInFlightBounds() throws IOException {
		Map<String, Object> podSpec = map(map(map(only("deployment.yaml"), "spec"), "template"), "spec");
		Map<String, Object> config = map(only("configmap.yaml"), "data");
		Binder binder = new Binder(new MapConfigurationPropertySource(Map.of("portero.shutdown.drain-delay",
				config.get("PORTERO_SHUTDOWN_DRAIN_DELAY"), "portero.shutdown.in-flight-timeout",
				config.get("PORTERO_SHUTDOWN_IN_FLIGHT_TIMEOUT"))));
		ShutdownSettings shutdown = binder.bindOrCreate("portero.shutdown", ShutdownSettings.class);

		Duration grace = Duration.ofSeconds((Integer) podSpec.get("terminationGracePeriodSeconds"));
		assertThat(grace).as("terminationGracePeriodSeconds against drain + in-flight timeout + 10s")
			.isGreaterThanOrEqualTo(shutdown.drainDelay().plus(shutdown.inFlightTimeout()).plusSeconds(10));
	}

	@Test
	void configurationComesFromTheConfigMapAndSecretsOnlyAsFiles() throws IOException {
		Map<String, Object> deployment = only("deployment.yaml");
		Map<String, Object> container = container(deployment);
		Map<String, Object> configMap = only("configmap.yaml");
		Map<String, Object> secret = only("secret.example.yaml");

		assertThat(list(container, "envFrom")).map(KubernetesManifestsTest::asMap)
			.anyMatch(e -> e.containsKey("configMapRef")
					&& map(configMap, "metadata").get("name").equals(asMap(e.get("configMapRef")).get("name")));
		assertThat(map(configMap, "data").keySet()).as("no secret in the ConfigMap")
			.noneMatch(key -> key.matches(".*(PASSWORD|SECRET|MASTER_KEY|TOKEN)(?!_FILE).*"));
		assertThat(map(configMap, "data").get("SPRING_PROFILES_ACTIVE")).isEqualTo("prod");
		assertThat((String) map(configMap, "data").get("PORTERO_DB_URL")).as("several pods need PostgreSQL")
			.startsWith("jdbc:postgresql:");

		String secretName = (String) map(secret, "metadata").get("name");
		assertThat(list(map(map(map(deployment, "spec"), "template"), "spec"), "volumes"))
			.map(KubernetesManifestsTest::asMap)
			.anyMatch(v -> v.containsKey("secret") && secretName.equals(asMap(v.get("secret")).get("secretName")));
		Map<String, String> env = list(container, "env").stream()
			.map(KubernetesManifestsTest::asMap)
			.collect(Collectors.toMap(e -> (String) e.get("name"), e -> String.valueOf(e.get("value"))));
		assertThat(env.keySet()).as("secrets as *_FILE paths").allMatch(name -> name.endsWith("_FILE"));
		assertThat(list(container, "env")).map(KubernetesManifestsTest::asMap).noneMatch(e -> e.containsKey("valueFrom"));
		assertThat(map(secret, "stringData").keySet()).as("every file the pod reads is in the Secret")
			.containsAll(env.values().stream().map(p -> Path.of(p).getFileName().toString()).toList());
	}

	@Test
	void theSecretExampleHoldsPlaceholdersOnly() throws IOException {
		Map<String, Object> secret = only("secret.example.yaml");

		assertThat(secret).as("base64 data could hide a real value").doesNotContainKey("data");
		map(secret, "stringData").forEach((key, value) -> assertThat(String.valueOf(value)).as(key)
			.startsWith("REPLACE-")
			.doesNotContainPattern("[A-Za-z0-9+/]{32,}={0,2}"));
	}

	@Test
	void theServicePdbAndAutoscalerTargetThePortero() throws IOException {
		Map<String, Object> deployment = only("deployment.yaml");
		Map<String, Object> labels = podLabels(deployment);

		Map<String, Object> service = map(only("service.yaml"), "spec");
		assertThat(map(service, "selector")).isEqualTo(labels);
		assertThat(list(service, "ports")).map(KubernetesManifestsTest::asMap).anyMatch(p -> "http".equals(p.get("targetPort")));

		Map<String, Object> pdb = only("pdb.yaml");
		assertThat(pdb.get("apiVersion")).isEqualTo("policy/v1");
		assertThat(map(pdb, "spec").get("minAvailable")).isEqualTo(1);
		assertThat(map(map(map(pdb, "spec"), "selector"), "matchLabels")).isEqualTo(labels);

		Map<String, Object> hpa = only("hpa.yaml");
		assertThat(hpa.get("apiVersion")).isEqualTo("autoscaling/v2");
		Map<String, Object> hpaSpec = map(hpa, "spec");
		assertThat(map(hpaSpec, "scaleTargetRef")).containsEntry("kind", "Deployment")
			.containsEntry("name", map(deployment, "metadata").get("name"));
		assertThat((Integer) hpaSpec.get("minReplicas")).as("never below the PDB's one plus one").isGreaterThanOrEqualTo(2);
		assertThat((Integer) hpaSpec.get("maxReplicas")).isGreaterThan((Integer) hpaSpec.get("minReplicas"));
		assertThat(list(hpaSpec, "metrics")).map(KubernetesManifestsTest::asMap)
			.anyMatch(m -> "cpu".equals(asMap(m.get("resource")).get("name")));
	}

	@Test
	void theNetworkPolicyOpensThePublicAndManagementPortsAndOnlyTheEgressPorteroNeeds() throws IOException {
		Map<String, Object> policy = map(only("networkpolicy.yaml"), "spec");

		assertThat(map(map(policy, "podSelector"), "matchLabels")).isEqualTo(podLabels(only("deployment.yaml")));
		assertThat(list(policy, "policyTypes")).containsExactlyInAnyOrder("Ingress", "Egress");
		assertThat(ports(list(policy, "ingress"))).containsExactlyInAnyOrder(8080, 9000);
		assertThat(ports(list(policy, "egress"))).as("DNS, PostgreSQL, SMTP").contains(53, 5432, 587)
			.allMatch(port -> Set.of(53, 5432, 25, 465, 587).contains(port));
	}

	private static List<Integer> ports(List<Object> rules) {
		List<Integer> ports = new ArrayList<>();
		for (Object rule : rules) {
			assertThat(asMap(rule).containsKey("from") || asMap(rule).containsKey("to")).as("every rule names its peers: %s", rule)
				.isTrue();
			list(asMap(rule), "ports").forEach(p -> ports.add((Integer) asMap(p).get("port")));
		}
		return ports;
	}

	private static Map<String, Object> podLabels(Map<String, Object> deployment) {
		Map<String, Object> labels = map(map(map(map(deployment, "spec"), "template"), "metadata"), "labels");
		assertThat(labels).containsKey(POD_LABEL);
		return labels;
	}

	private static Map<String, Object> container(Map<String, Object> deployment) {
		List<Object> containers = list(map(map(map(deployment, "spec"), "template"), "spec"), "containers");
		assertThat(containers).hasSize(1);
		return asMap(containers.getFirst());
	}

	private static Object dockerfileUid() throws IOException {
		Matcher user = Pattern.compile("(?m)^USER (\\d+)").matcher(Files.readString(Path.of("Dockerfile")));
		assertThat(user.find()).as("a numeric USER in the Dockerfile").isTrue();
		return Integer.valueOf(user.group(1));
	}

	private static List<Map<String, Object>> documents(String file) throws IOException {
		Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
		List<Map<String, Object>> documents = new ArrayList<>();
		for (Object document : yaml.loadAll(Files.readString(DIR.resolve(file)))) {
			if (document != null) {
				documents.add(asMap(document));
			}
		}
		return documents;
	}

	private static Map<String, Object> only(String file) throws IOException {
		List<Map<String, Object>> documents = documents(file);
		assertThat(documents).as(file).hasSize(1);
		return documents.getFirst();
	}

	private static Map<String, Object> map(Map<String, Object> parent, String key) {
		assertThat(parent).containsKey(key);
		return asMap(parent.get(key));
	}

	@SuppressWarnings("unchecked")
	private static <T> List<T> list(Map<String, Object> parent, String key) {
		assertThat(parent).containsKey(key);
		assertThat(parent.get(key)).as(key).isInstanceOf(List.class);
		return (List<T>) parent.get(key);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> asMap(Object value) {
		assertThat(value).isInstanceOf(Map.class);
		return (Map<String, Object>) value;
	}

}
