using k8s.Models;

namespace Drover.Deploy.Tests;

/// <summary>
/// The Helm chart deploy/helm/drover, the one source of the Kubernetes manifests (docs/adr/0009-deploy-manifests.md):
/// linted and rendered with the real helm, every document parsed strictly (<see cref="Chart"/>).
/// </summary>
public sealed class HelmChartTests
{
    [ToolFact("helm")]
    public void Lint_DefaultAndHaValues_PassStrict()
    {
        Assert.Contains("0 chart(s) failed", Tools.Run("helm", "lint", "--strict", Chart.Directory), StringComparison.Ordinal);
        Assert.Contains("0 chart(s) failed", Tools.Run("helm", ["lint", "--strict", Chart.Directory, .. Chart.Ha]), StringComparison.Ordinal);
    }

    [ToolFact("helm")]
    public void DefaultValues_OneReplicaWithSqliteAndBackupsOnPersistentVolumes_EveryDocumentStrict()
    {
        var documents = Chart.Render();

        var deployment = documents.Single<V1Deployment>();
        Assert.Equal(1, deployment.Spec.Replicas);
        Assert.Equal("Recreate", deployment.Spec.Strategy.Type);
        var pod = deployment.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        Assert.Contains("--store=sqlite:/var/lib/drover/state.db", container.Args);
        Assert.Contains("--backup-dir=/var/lib/drover-backups", container.Args);
        Assert.Equal("drover-data", pod.Volumes.Single(v => v.Name == "data").PersistentVolumeClaim.ClaimName);
        Assert.Equal("drover-backups", pod.Volumes.Single(v => v.Name == "backups").PersistentVolumeClaim.ClaimName);
        Assert.Equal("/var/lib/drover-backups", container.VolumeMounts.Single(m => m.Name == "backups").MountPath);
        Assert.Equal(["drover-backups", "drover-data"], documents.All<V1PersistentVolumeClaim>().Select(c => c.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(container.Env, e => e.Name == "DROVER_STORE");
        Assert.Equal("0", documents.Single<V1PodDisruptionBudget>().Spec.MinAvailable.Value);
        Assert.Null(pod.Affinity);
        CheckHardened(deployment);

        // Credentials come from the Secret the operator manages, by reference; the chart creates none by default.
        Assert.Empty(documents.All<V1Secret>());
        Assert.Equal("github-token", container.Env.Single(e => e.Name == "GITHUB_TOKEN").ValueFrom.SecretKeyRef.Key);
        Assert.All(container.Env.Where(e => e.Name != "POD_NAME"), e => Assert.Equal("drover-secrets", e.ValueFrom.SecretKeyRef.Name));
        Assert.Contains("--api-token=operator:operator:env:DROVER_OPERATOR_TOKEN", container.Args);
        Assert.Contains("--log-format=json", container.Args);
        Assert.Contains("--log-level=information", container.Args);

        // The Prometheus Operator resources are options (they need its CRDs).
        Assert.DoesNotContain(documents, d => d.Model is null);
        Assert.Contains("fleet.yaml", documents.Single<V1ConfigMap>().Data.Keys);
    }

    [ToolFact("helm")]
    public void HaValues_TwoReplicasOnPostgresWithLeaderElection_EveryDocumentStrict()
    {
        var documents = Chart.Render(Chart.Ha);

        var deployment = documents.Single<V1Deployment>();
        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
        var pod = deployment.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        Assert.Contains("--replica-id=$(POD_NAME)", container.Args);
        Assert.Contains("--store=$(DROVER_STORE)", container.Args);
        Assert.Equal("store", container.Env.Single(e => e.Name == "DROVER_STORE").ValueFrom.SecretKeyRef.Key);
        // The replica's data directory (.drover under the working directory) must not be on the read-only root.
        Assert.Equal("/var/lib/drover", container.WorkingDir);
        Assert.NotNull(pod.Volumes.Single(v => v.Name == "data").EmptyDir);
        Assert.NotNull(pod.Affinity.PodAntiAffinity);
        CheckHardened(deployment);
        Assert.Equal("1", documents.Single<V1PodDisruptionBudget>().Spec.MinAvailable.Value);

        // No SQLite volume; backups on a claim every replica can mount, since the leader that writes them moves.
        var claim = Assert.Single(documents.All<V1PersistentVolumeClaim>());
        Assert.Equal("drover-backups", claim.Metadata.Name);
        Assert.Equal(["ReadWriteMany"], claim.Spec.AccessModes);
        Assert.Equal("drover-backups", pod.Volumes.Single(v => v.Name == "backups").PersistentVolumeClaim.ClaimName);

        Assert.Contains(documents, d => d.Kind == "ServiceMonitor" && d.Yaml.Contains("path: /metrics", StringComparison.Ordinal));
        Assert.DoesNotContain(documents, d => d.Kind == "ServiceMonitor" && d.Yaml.Contains("scheme: https", StringComparison.Ordinal));
        Assert.Contains(documents, d => d.Kind == "PrometheusRule");
    }

    [ToolFact("helm")]
    public void Rbac_OnlyPodsSecretsClaimsAndEvents_InTheRunnerNamespace()
    {
        var documents = Chart.Render(Chart.Ha);

        var role = documents.Single<V1Role>();
        Assert.Equal("drover-runners", role.Metadata.NamespaceProperty);
        Assert.All(role.Rules, r => Assert.Equal([string.Empty], r.ApiGroups));
        Assert.Equal(["events", "persistentvolumeclaims", "pods", "secrets"], role.Rules.SelectMany(r => r.Resources).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(role.Rules.SelectMany(r => r.Verbs), v => v is "*" or "update" or "patch" or "escalate" or "bind");
        Assert.DoesNotContain(documents, d => d.Kind is "ClusterRole" or "ClusterRoleBinding");
        var binding = documents.Single<V1RoleBinding>();
        Assert.Equal("drover-runners", binding.Metadata.NamespaceProperty);
        Assert.Equal(("ServiceAccount", "drover", "drover-system"), (binding.Subjects[0].Kind, binding.Subjects[0].Name, binding.Subjects[0].NamespaceProperty));
        Assert.Equal("drover", documents.Single<V1Deployment>().Spec.Template.Spec.ServiceAccountName);

        var other = Chart.Render("--set", "runnerNamespace=ci-runners").Single<V1Role>();
        Assert.Equal("ci-runners", other.Metadata.NamespaceProperty);
    }

    [ToolFact("helm")]
    public void SecretFromValues_CreatedAndReferenced()
    {
        var documents = Chart.Render(
            "--set", "secret.existingSecret=",
            "--set", "secret.data.github-token=t1", "--set", "secret.data.github-webhook-secret=w1",
            "--set", "secret.data.operator-token=o1", "--set", "secret.data.viewer-token=v1");

        var secret = documents.Single<V1Secret>();
        Assert.Equal("drover-secrets", secret.Metadata.Name);
        Assert.Equal("t1", secret.StringData["github-token"]);
        var env = documents.Single<V1Deployment>().Spec.Template.Spec.Containers[0].Env;
        Assert.All(env.Where(e => e.Name != "POD_NAME"), e => Assert.Equal("drover-secrets", e.ValueFrom.SecretKeyRef.Name));
    }

    [ToolFact("helm")]
    public void ValuesThatCannotWork_RefusedWithTheValueAndWhy()
    {
        Assert.Contains("secret.data: key 'operator-token' (for DROVER_OPERATOR_TOKEN) is missing", Template("--set", "secret.existingSecret="), StringComparison.Ordinal);
        Assert.Contains("replicaCount: 2 replicas cannot share one SQLite file", Template("--set", "replicaCount=2"), StringComparison.Ordinal);
        Assert.Contains("backups.accessModes:", Template([.. Chart.Ha, "--set", "backups.accessModes={ReadWriteOnce}"]), StringComparison.Ordinal);
        Assert.Contains("store.type: 'mysql' is not sqlite or postgres", Template("--set", "store.type=mysql"), StringComparison.Ordinal);
        Assert.Contains("logging.format: 'xml' is not json or text", Template("--set", "logging.format=xml"), StringComparison.Ordinal);
        Assert.Contains("tls.secretName: tls.enabled needs the name of a kubernetes.io/tls Secret", Template("--set", "tls.enabled=true"), StringComparison.Ordinal);
        Assert.Contains("ingress.host: ingress.enabled needs the host name", Template("--set", "ingress.enabled=true"), StringComparison.Ordinal);
        Assert.Contains("apiTokens: token 'x' reads NOPE, which is not one of secret.env", Template("--set", "apiTokens[0].name=x", "--set", "apiTokens[0].role=viewer", "--set", "apiTokens[0].env=NOPE"), StringComparison.Ordinal);

        static string Template(params string[] arguments) => Tools.RunFailing("helm", ["template", "drover", Chart.Directory, .. arguments]);
    }

    [ToolFact("helm")]
    public void BackupsOff_NoClaimAndScheduleOff()
    {
        var documents = Chart.Render("--set", "backups.enabled=false");

        Assert.Equal(["drover-data"], documents.All<V1PersistentVolumeClaim>().Select(c => c.Metadata.Name));
        var container = documents.Single<V1Deployment>().Spec.Template.Spec.Containers[0];
        Assert.Contains("--backup-every=0", container.Args);
        Assert.DoesNotContain(container.VolumeMounts, m => m.Name == "backups");
    }

    [ToolFact("helm")]
    public void DefaultValues_PlainHttpAndNoIngress()
    {
        var documents = Chart.Render();

        Assert.DoesNotContain(documents, d => d.Kind == "Ingress");
        var pod = documents.Single<V1Deployment>().Spec.Template.Spec;
        var container = pod.Containers[0];
        Assert.Contains("--urls=http://0.0.0.0:8080", container.Args);
        Assert.DoesNotContain(container.Args, a => a.StartsWith("--tls-", StringComparison.Ordinal));
        Assert.Equal("HTTP", container.ReadinessProbe.HttpGet.Scheme);
        Assert.Equal("HTTP", container.LivenessProbe.HttpGet.Scheme);
        Assert.DoesNotContain(pod.Volumes, v => v.Name == "tls");
    }

    [ToolFact("helm")]
    public void Tls_MountsTheSecretServesHttpsAndProbesOverHttps()
    {
        var documents = Chart.Render("--set", "tls.enabled=true", "--set", "tls.secretName=drover-tls", "--set", "metrics.serviceMonitor.enabled=true", "--set", "metrics.serviceMonitor.tlsConfig.serverName=drover.drover-system.svc");

        var deployment = documents.Single<V1Deployment>();
        var pod = deployment.Spec.Template.Spec;
        var container = pod.Containers[0];
        Assert.Contains("--urls=https://0.0.0.0:8080", container.Args);
        Assert.DoesNotContain(container.Args, a => a.StartsWith("--urls=http:", StringComparison.Ordinal));
        Assert.Contains("--tls-cert=/etc/drover/tls/tls.crt", container.Args);
        Assert.Contains("--tls-key=/etc/drover/tls/tls.key", container.Args);
        Assert.Equal("drover-tls", pod.Volumes.Single(v => v.Name == "tls").Secret.SecretName);
        var mount = container.VolumeMounts.Single(m => m.Name == "tls");
        Assert.Equal("/etc/drover/tls", mount.MountPath);
        Assert.True(mount.ReadOnlyProperty);
        Assert.Equal("HTTPS", container.ReadinessProbe.HttpGet.Scheme);
        Assert.Equal("HTTPS", container.LivenessProbe.HttpGet.Scheme);
        CheckHardened(deployment);

        // Prometheus scrapes the HTTPS-only port over https.
        var monitor = documents.Single(d => d.Kind == "ServiceMonitor").Yaml;
        Assert.Contains("scheme: https", monitor, StringComparison.Ordinal);
        Assert.Contains("serverName: drover.drover-system.svc", monitor, StringComparison.Ordinal);
    }

    [ToolFact("helm")]
    public void Ingress_ClassHostTlsAndAnnotations_ToTheService()
    {
        var documents = Chart.Render(
            "--set", "ingress.enabled=true",
            "--set", "ingress.className=nginx",
            "--set", "ingress.host=drover.example.com",
            "--set", "ingress.annotations.cert-manager\\.io/cluster-issuer=letsencrypt",
            "--set", "ingress.tls[0].secretName=drover-ingress-tls",
            "--set", "ingress.tls[0].hosts[0]=drover.example.com");

        var ingress = documents.Single<V1Ingress>();
        Assert.Equal("drover", ingress.Metadata.Name);
        Assert.Equal("drover-system", ingress.Metadata.NamespaceProperty);
        Assert.Equal("letsencrypt", ingress.Metadata.Annotations["cert-manager.io/cluster-issuer"]);
        Assert.Equal("nginx", ingress.Spec.IngressClassName);
        var tls = Assert.Single(ingress.Spec.Tls);
        Assert.Equal("drover-ingress-tls", tls.SecretName);
        Assert.Equal(["drover.example.com"], tls.Hosts);
        var rule = Assert.Single(ingress.Spec.Rules);
        Assert.Equal("drover.example.com", rule.Host);
        var path = Assert.Single(rule.Http.Paths);
        Assert.Equal("/", path.Path);
        Assert.Equal("Prefix", path.PathType);
        var service = documents.Single<V1Service>();
        Assert.Equal(service.Metadata.Name, path.Backend.Service.Name);
        Assert.Equal("http", path.Backend.Service.Port.Name);
        Assert.Contains(service.Spec.Ports, p => p.Name == "http");
    }

    private static readonly string[] _sso =
    [
        "--set", "sso.enabled=true", "--set", "sso.issuer=https://keycloak.example.com/realms/ci",
        "--set", "sso.clientId=drover", "--set", "sso.clientSecretEnv=DROVER_OIDC_SECRET",
        "--set", "secret.env.DROVER_OIDC_SECRET=oidc-client-secret", "--set", "sso.publicUrl=https://drover.example.com",
        "--set", "sso.roles[0].role=admin", "--set", "sso.roles[0].value=drover-admins",
        "--set", "sso.roles[1].role=viewer", "--set", "sso.roles[1].value=engineering",
    ];

    [ToolFact("helm")]
    public void Sso_FlagsFromValues_ClientSecretFromTheSecret()
    {
        var documents = Chart.Render(_sso);

        var container = documents.Single<V1Deployment>().Spec.Template.Spec.Containers[0];
        Assert.Contains("--oidc-issuer=https://keycloak.example.com/realms/ci", container.Args);
        Assert.Contains("--oidc-client-id=drover", container.Args);
        Assert.Contains("--oidc-client-secret=env:DROVER_OIDC_SECRET", container.Args);
        Assert.Contains("--public-url=https://drover.example.com", container.Args);
        Assert.Contains("--oidc-role=admin=drover-admins", container.Args);
        Assert.Contains("--oidc-role=viewer=engineering", container.Args);
        Assert.Contains("--oidc-roles-claim=groups", container.Args);
        Assert.DoesNotContain(container.Args, a => a.StartsWith("--oidc-session-keys", StringComparison.Ordinal));
        Assert.Equal("oidc-client-secret", container.Env.Single(e => e.Name == "DROVER_OIDC_SECRET").ValueFrom.SecretKeyRef.Key);

        // Off by default: no flag at all.
        Assert.DoesNotContain(Chart.Render().Single<V1Deployment>().Spec.Template.Spec.Containers[0].Args, a => a.StartsWith("--oidc-", StringComparison.Ordinal));
    }

    [ToolFact("helm")]
    public void Sso_SeveralReplicas_ShareTheSessionKeysOnAClaim()
    {
        var documents = Chart.Render([.. Chart.Ha, .. _sso, "--set", "sso.sessionKeysClaim=drover-session-keys"]);

        var pod = documents.Single<V1Deployment>().Spec.Template.Spec;
        Assert.Contains("--oidc-session-keys=/var/lib/drover-session-keys", pod.Containers[0].Args);
        Assert.Equal("/var/lib/drover-session-keys", pod.Containers[0].VolumeMounts.Single(m => m.Name == "session-keys").MountPath);
        Assert.Equal("drover-session-keys", pod.Volumes.Single(v => v.Name == "session-keys").PersistentVolumeClaim.ClaimName);
    }

    [ToolFact("helm")]
    public void Sso_ValuesThatCannotWork_RefusedWithTheValueAndWhy()
    {
        Assert.Contains("sso.sessionKeysClaim: with more than one replica", Template([.. Chart.Ha, .. _sso]), StringComparison.Ordinal);
        Assert.Contains("sso.issuer: 'http://kc' must be the issuer's https:// URL", Template([.. _sso, "--set", "sso.issuer=http://kc"]), StringComparison.Ordinal);
        Assert.Contains("sso.clientSecretEnv: 'NOPE' is not one of secret.env", Template([.. _sso, "--set", "sso.clientSecretEnv=NOPE"]), StringComparison.Ordinal);
        Assert.Contains("sso.roles: role 'root' for 'drover-admins'", Template([.. _sso, "--set", "sso.roles[0].role=root"]), StringComparison.Ordinal);
        Assert.Contains("sso.publicUrl: sso.clientId needs the https:// address", Template([.. _sso, "--set", "sso.publicUrl="]), StringComparison.Ordinal);

        static string Template(params string[] arguments) => Tools.RunFailing("helm", ["template", "drover", Chart.Directory, .. arguments]);
    }

    private static void CheckHardened(V1Deployment deployment)
    {
        var pod = deployment.Spec.Template.Spec;
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        var security = pod.Containers[0].SecurityContext;
        Assert.False(security.AllowPrivilegeEscalation);
        Assert.True(security.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], security.Capabilities.Drop);
        Assert.Equal("/readyz", pod.Containers[0].ReadinessProbe.HttpGet.Path);
        Assert.Equal("/healthz", pod.Containers[0].LivenessProbe.HttpGet.Path);
    }
}
