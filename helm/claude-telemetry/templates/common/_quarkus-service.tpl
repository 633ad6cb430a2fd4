{{/*
ServiceAccount + Deployment + Service (+ PodDisruptionBudget when replicas > 1) of one Quarkus service. Each
component folder calls this with its own environment and volumes, so the shape stays identical across the three.
Call with (dict "context" $ "component" "hook-ingest" "values" $.Values.hookIngest "env" <yaml list string>
           "volumes" <yaml list string> "volumeMounts" <yaml list string>).
Optional: "volumeClaimTemplates" <yaml list string> makes it a StatefulSet with a volume per replica (governed by
the component's own Service), and "terminationGracePeriodSeconds" <int>.
*/}}
{{- define "ct.quarkusService" -}}
{{- $ctx := .context -}}
{{- $labels := dict "context" $ctx "component" .component -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .component }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "ct.labels" $labels | nindent 4 }}
automountServiceAccountToken: false
---
apiVersion: apps/v1
kind: {{ if .volumeClaimTemplates }}StatefulSet{{ else }}Deployment{{ end }}
metadata:
  name: {{ .component }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "ct.labels" $labels | nindent 4 }}
spec:
  replicas: {{ .values.replicas }}
  revisionHistoryLimit: 3
  {{- if .volumeClaimTemplates }}
  serviceName: {{ .component }}
  # Replicas are independent (no ordinal ordering at start or scale); the StatefulSet is here for the
  # volume each replica keeps across restarts and rollouts.
  podManagementPolicy: Parallel
  updateStrategy:
    type: RollingUpdate
  # A volume can hold events not yet delivered: it outlives a scale-down (scaling up again delivers them)
  # and an uninstall.
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Retain
    whenScaled: Retain
  volumeClaimTemplates:
    {{- .volumeClaimTemplates | nindent 4 }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "ct.selectorLabels" $labels | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "ct.labels" $labels | nindent 8 }}
        {{- with include "ct.podLabels" .values }}{{ . | nindent 8 }}{{ end }}
      {{- with include "ct.podAnnotations" .values }}
      annotations:
        {{- . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ .component }}
      automountServiceAccountToken: false
      {{- with include "ct.podPlacement" .values }}{{ . | nindent 6 }}{{ end }}
      {{- with .terminationGracePeriodSeconds }}
      terminationGracePeriodSeconds: {{ . }}
      {{- end }}
      {{- with $ctx.Values.global.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- include "ct.podSecurityContext" (dict "uid" 185) | nindent 8 }}
      {{- if gt (int .values.replicas) 1 }}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "ct.selectorLabels" $labels | nindent 14 }}
      {{- end }}
      containers:
        - name: {{ .component }}
          image: {{ include "ct.image" (dict "context" $ctx "repository" .values.image) }}
          imagePullPolicy: {{ $ctx.Values.global.imagePullPolicy }}
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
            # /q/metrics and /q/health only (Quarkus' management interface); the NetworkPolicies open it
            # to Prometheus alone, the kubelet's probes come from the node.
            - name: management
              containerPort: 9000
              protocol: TCP
          env:
            - name: QUARKUS_HTTP_PORT
              value: "8080"
            - name: QUARKUS_MANAGEMENT_PORT
              value: "9000"
            # tree-sitter and JNA extract native libraries here; the root filesystem is read-only. Huge pages
            # for the heap and the JIT's code (where the node's THP mode is madvise or always): a service woken
            # by one hook at a time spends less CPU walking page tables (bench/hook-ingest/results).
            - name: JAVA_TOOL_OPTIONS
              value: "-Djava.io.tmpdir=/tmp -XX:MaxRAMPercentage=75 -XX:+UseTransparentHugePages"
            {{- with .env }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with .values.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- include "ct.quarkusProbes" . | nindent 10 }}
          resources:
            {{- toYaml .values.resources | nindent 12 }}
          securityContext:
            {{- include "ct.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- with .volumeMounts }}
            {{- . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 256Mi
        {{- with .volumes }}
        {{- . | nindent 8 }}
        {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .component }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "ct.labels" $labels | nindent 4 }}
spec:
  type: ClusterIP
  {{- with .values.sessionAffinity }}
  # Every connection from one client IP (one workspace pod) goes to the same pod while that client keeps
  # connecting within the timeout: a replica's per-call state (hook-ingest's count-once ledger) sees every
  # event of that call.
  sessionAffinity: ClientIP
  sessionAffinityConfig:
    clientIP:
      timeoutSeconds: {{ .timeoutSeconds }}
  {{- end }}
  selector:
    {{- include "ct.selectorLabels" $labels | nindent 4 }}
  ports:
    - name: http
      port: 8080
      targetPort: http
      protocol: TCP
    # The ServiceMonitor scrapes this port by name.
    - name: management
      port: 9000
      targetPort: management
      protocol: TCP
{{- if gt (int .values.replicas) 1 }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .component }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "ct.labels" $labels | nindent 4 }}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      {{- include "ct.selectorLabels" $labels | nindent 6 }}
{{- end }}
{{- end -}}
