{{/*
Names. Services and most objects carry the fixed component name (hook-ingest, policy-service, ...) because the
claude-code pods' managed settings name them; hence one release per namespace.
*/}}
{{- define "ct.name" -}}claude-telemetry{{- end -}}

{{- define "ct.chart" -}}{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}{{- end -}}

{{/* Selector labels: the stable subset. Call with (dict "context" $ "component" "hook-ingest"). */}}
{{- define "ct.selectorLabels" -}}
app.kubernetes.io/name: {{ .component }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "ct.labels" -}}
{{ include "ct.selectorLabels" . }}
app.kubernetes.io/part-of: claude-telemetry
app.kubernetes.io/version: {{ .context.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .context.Release.Service }}
helm.sh/chart: {{ include "ct.chart" .context }}
{{- end -}}

{{- define "ct.image" -}}
{{- $tag := .context.Values.global.imageTag | default .context.Chart.AppVersion -}}
{{ printf "%s/%s:%s" .context.Values.global.imageRegistry .repository $tag }}
{{- end -}}

{{/* The workspace image; with sudo, the variant built with ENABLE_SUDO=true (k8s/build-images.sh tags it <tag>-sudo). */}}
{{- define "ct.claudeCodeImage" -}}
{{- if .Values.claudeCode.image -}}{{ .Values.claudeCode.image }}
{{- else -}}{{ include "ct.image" (dict "context" . "repository" "claude-code") }}{{ if .Values.claudeCode.sudo }}-sudo{{ end }}
{{- end -}}
{{- end -}}

{{/* In-cluster URL of a component's HTTP port. */}}
{{- define "ct.url" -}}http://{{ .name }}.{{ .context.Release.Namespace }}.svc.cluster.local:{{ .port | default 8080 }}{{- end -}}

{{- define "ct.tokensSecretName" -}}
{{- .Values.tokens.existingSecret | default "claude-telemetry-tokens" -}}
{{- end -}}

{{- define "ct.userTokensSecretName" -}}
{{- .Values.tokens.existingUserTokensSecret | default "claude-telemetry-user-tokens" -}}
{{- end -}}

{{/* Where hook-ingest and transcript-service mount the per-user tokens (CLAUDE_TELEMETRY_USER_TOKENS_DIR). */}}
{{- define "ct.userTokensDir" -}}/var/run/claude-telemetry/user-tokens{{- end -}}

{{/* The generated token of one user (call with (dict "context" $ "user" "alice")); only when the chart owns the Secret. */}}
{{- define "ct.userToken" -}}
{{- include "ct.keptSecretValue" (dict "context" .context "secret" "claude-telemetry-user-tokens" "key" .user) -}}
{{- end -}}

{{/* The volume and mount of the whole per-user token Secret, read-only, for hook-ingest and transcript-service. */}}
{{- define "ct.userTokensVolume" -}}
- name: user-tokens
  secret:
    secretName: {{ include "ct.userTokensSecretName" . }}
    defaultMode: 0440
{{- end -}}
{{- define "ct.userTokensVolumeMount" -}}
- name: user-tokens
  mountPath: {{ include "ct.userTokensDir" . }}
  readOnly: true
{{- end -}}

{{/* hook-ingest's user→team file (HOOK_INGEST_USER_TEAMS): the ConfigMap hook-ingest-user-teams, mounted whole (not
     with subPath, which the kubelet never updates). */}}
{{- define "ct.userTeamsDir" -}}/etc/claude-telemetry/user-teams{{- end -}}
{{- define "ct.userTeamsVolume" -}}
- name: user-teams
  configMap:
    name: hook-ingest-user-teams
{{- end -}}
{{- define "ct.userTeamsVolumeMount" -}}
- name: user-teams
  mountPath: {{ include "ct.userTeamsDir" . }}
  readOnly: true
{{- end -}}

{{- define "ct.databaseSecretName" -}}
{{- if .Values.postgresql.enabled -}}claude-telemetry-postgresql{{- else -}}{{ required "externalDatabase.existingSecret is required when postgresql.enabled=false" .Values.externalDatabase.existingSecret }}{{- end -}}
{{- end -}}

{{/*
Whether `lookup` may ask the cluster. Offline renderers (helm template, helm-java) report Helm's default
Kubernetes v1.20.0 and, in helm-java's case, still try to reach a cluster from lookup (and fail). Every supported
cluster is newer, so a version above 1.20 means a real API server is answering.
*/}}
{{- define "ct.canLookup" -}}
{{- if semverCompare ">=1.21.0-0" .Capabilities.KubeVersion.Version }}true{{ end -}}
{{- end -}}

{{/* lookup when a cluster is there, else an empty dict. Call with (dict "context" $ "apiVersion" "v1" "kind" "Secret" "name" "x"). */}}
{{- define "ct.lookup" -}}
{{- if include "ct.canLookup" .context -}}
{{- lookup .apiVersion .kind .context.Release.Namespace .name | toJson -}}
{{- else -}}{}{{- end -}}
{{- end -}}

{{/*
A generated secret value that survives upgrades: the live Secret's value when there is one (lookup; it returns
nothing under `helm template`), else a new random one. Memoised per render so every template that needs the same
value (the Secret itself, the Grafana datasource) gets the same string.
Call with (dict "context" $ "secret" "name" "key" "k").
*/}}
{{- define "ct.keptSecretValue" -}}
{{- $root := .context -}}
{{- if not (hasKey $root.Values "__generated") -}}{{- $_ := set $root.Values "__generated" dict -}}{{- end -}}
{{- $cacheKey := printf "%s/%s" .secret .key -}}
{{- if not (hasKey $root.Values.__generated $cacheKey) -}}
  {{- $value := randAlphaNum 40 -}}
  {{- $live := include "ct.lookup" (dict "context" $root "apiVersion" "v1" "kind" "Secret" "name" .secret) | fromJson -}}
  {{- if and $live $live.data (hasKey $live.data .key) -}}{{- $value = index $live.data .key | b64dec -}}{{- end -}}
  {{- $_ := set $root.Values.__generated $cacheKey $value -}}
{{- end -}}
{{- index $root.Values.__generated $cacheKey -}}
{{- end -}}

{{/* Pod-level security context shared by every workload. */}}
{{- define "ct.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid | default 1000 }}
runAsGroup: {{ .uid | default 1000 }}
fsGroup: {{ .uid | default 1000 }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level security context: non-root, no privilege escalation, read-only root, no capabilities. */}}
{{- define "ct.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The three Quarkus services' probes (SmallRye Health), on the management port where /q/health lives. */}}
{{- define "ct.quarkusProbes" -}}
startupProbe:
  httpGet: {path: /q/health/started, port: management}
  periodSeconds: 2
  failureThreshold: 60
livenessProbe:
  httpGet: {path: /q/health/live, port: management}
  periodSeconds: 10
  failureThreshold: 3
readinessProbe:
  httpGet: {path: /q/health/ready, port: management}
  periodSeconds: 5
  failureThreshold: 3
{{- end -}}

{{/* A list of strings as OTTL string literals, comma-separated: "a", "b". */}}
{{- define "ct.otelQuotedList" -}}
{{- $quoted := list -}}
{{- range . }}{{ $quoted = append $quoted (printf "%q" .) }}{{ end -}}
{{- join ", " $quoted -}}
{{- end -}}

{{/* Comma-separated user names, for hook-ingest's label allowlist (keeps the `user` label bounded). */}}
{{- define "ct.userNames" -}}
{{- $names := list -}}
{{- range .Values.claudeCode.users }}{{ $names = append $names .name }}{{ end -}}
{{- join "," $names -}}
{{- end -}}

{{/* NetworkPolicy peers: pods of one component of this release, or the Prometheus / Grafana namespaces. */}}
{{- define "ct.np.pods" -}}
- podSelector:
    matchLabels:
      app.kubernetes.io/component: {{ .component }}
      app.kubernetes.io/instance: {{ .context.Release.Name }}
{{- end -}}
{{- define "ct.np.prometheus" -}}
- namespaceSelector:
    {{- toYaml .Values.networkPolicies.prometheusNamespaceSelector | nindent 4 }}
  {{- with .Values.networkPolicies.prometheusPodSelector }}
  podSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
{{/* The ingress rule of a Quarkus service's management port (/q/metrics, /q/health): Prometheus only. */}}
{{- define "ct.np.managementIngress" -}}
# /q/metrics and /q/health: Prometheus only (the kubelet's probes come from the node).
- from:
    {{- include "ct.np.prometheus" . | nindent 4 }}
  ports:
    - {port: 9000, protocol: TCP}
{{- end -}}
{{/* The cluster DNS (CoreDNS / kube-dns pods), the only DNS server the workspaces may ask. */}}
{{- define "ct.np.clusterDns" -}}
- namespaceSelector:
    {{- toYaml .Values.networkPolicies.dnsNamespaceSelector | nindent 4 }}
  podSelector:
    {{- toYaml .Values.networkPolicies.dnsPodSelector | nindent 4 }}
{{- end -}}
{{- define "ct.np.grafana" -}}
- namespaceSelector:
    {{- toYaml .Values.networkPolicies.grafanaNamespaceSelector | nindent 4 }}
  {{- with .Values.networkPolicies.grafanaPodSelector }}
  podSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/* Where the collector's logs exporter keeps its queue (file_storage), on the PVC otel-collector-queue. */}}
{{- define "ct.collectorQueueDir" -}}
/var/lib/otelcol/file_storage
{{- end -}}

{{/*
What a platform team adds to one component's pods: placement (priorityClassName, nodeSelector, tolerations,
affinity) for the pod spec, and labels and annotations for the pod template's metadata. Call each with the
component's values. The schema keeps podLabels off the chart's own keys (app.kubernetes.io/*,
claude-telemetry.dev/*): selectors, NetworkPolicies and the collector's user lookup rely on those.
*/}}
{{- define "ct.podPlacement" -}}
{{- with .priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "ct.podLabels" -}}
{{- with .podLabels }}
{{- toYaml . }}
{{- end }}
{{- end -}}

{{- define "ct.podAnnotations" -}}
{{- with .podAnnotations }}
{{- toYaml . }}
{{- end }}
{{- end -}}
