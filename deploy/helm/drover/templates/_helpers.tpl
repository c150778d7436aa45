{{/* Names and labels shared by every manifest. */}}
{{- define "drover.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "drover.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: control-plane
{{- end -}}

{{- define "drover.labels" -}}
{{ include "drover.selectorLabels" . }}
app.kubernetes.io/part-of: drover
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The Secret the pod reads credentials from: the one named, or the one the chart creates. */}}
{{- define "drover.secretName" -}}
{{- if .Values.secret.existingSecret -}}
{{- .Values.secret.existingSecret -}}
{{- else -}}
{{- printf "%s-secrets" (include "drover.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Environment variable -> Secret key, with `store` for PostgreSQL. */}}
{{- define "drover.secretEnv" -}}
{{- $env := deepCopy .Values.secret.env -}}
{{- if eq .Values.store.type "postgres" -}}
{{- $_ := set $env "DROVER_STORE" "store" -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{/* Refuses values that cannot work, saying which value and why. */}}
{{- define "drover.validate" -}}
{{- if not (has .Values.store.type (list "sqlite" "postgres")) -}}
{{- fail (printf "store.type: '%s' is not sqlite or postgres" .Values.store.type) -}}
{{- end -}}
{{- if and (eq .Values.store.type "sqlite") (gt (int .Values.replicaCount) 1) -}}
{{- fail (printf "replicaCount: %d replicas cannot share one SQLite file; use store.type: postgres (values-ha.yaml) or replicaCount: 1" (int .Values.replicaCount)) -}}
{{- end -}}
{{- if and .Values.backups.enabled (gt (int .Values.replicaCount) 1) (not .Values.backups.existingClaim) (not (has "ReadWriteMany" .Values.backups.accessModes)) -}}
{{- fail "backups.accessModes: with more than one replica the leader that writes backups can move to another node; use [ReadWriteMany], an existingClaim, or backups.enabled: false" -}}
{{- end -}}
{{- if not (has .Values.logging.format (list "json" "text")) -}}
{{- fail (printf "logging.format: '%s' is not json or text" .Values.logging.format) -}}
{{- end -}}
{{- if and .Values.tls.enabled (not .Values.tls.secretName) -}}
{{- fail "tls.secretName: tls.enabled needs the name of a kubernetes.io/tls Secret (keys tls.crt and tls.key)" -}}
{{- end -}}
{{- if and .Values.ingress.enabled (not .Values.ingress.host) -}}
{{- fail "ingress.host: ingress.enabled needs the host name the Ingress answers for" -}}
{{- end -}}
{{- $env := include "drover.secretEnv" . | fromYaml -}}
{{- range .Values.apiTokens -}}
{{- if not (hasKey $env .env) -}}
{{- fail (printf "apiTokens: token '%s' reads %s, which is not one of secret.env" .name .env) -}}
{{- end -}}
{{- if not (has .role (list "viewer" "operator" "admin")) -}}
{{- fail (printf "apiTokens: token '%s' has role '%s'; roles are viewer, operator and admin" .name .role) -}}
{{- end -}}
{{- end -}}
{{- with .Values.sso -}}
{{- if .enabled -}}
{{- if not (hasPrefix "https://" .issuer) -}}
{{- fail (printf "sso.issuer: '%s' must be the issuer's https:// URL" .issuer) -}}
{{- end -}}
{{- if and (not .audience) (not .clientId) -}}
{{- fail "sso.audience: give the audience of API tokens, or sso.clientId for the dashboard's sign-in (then also the default audience)" -}}
{{- end -}}
{{- if not .roles -}}
{{- fail "sso.roles: give at least one { role, value } (role viewer, operator or admin; value a group the roles claim holds)" -}}
{{- end -}}
{{- range .roles -}}
{{- if not (has .role (list "viewer" "operator" "admin")) -}}
{{- fail (printf "sso.roles: role '%s' for '%s'; roles are viewer, operator and admin" .role .value) -}}
{{- end -}}
{{- end -}}
{{- if .clientId -}}
{{- if not (hasKey $env .clientSecretEnv) -}}
{{- fail (printf "sso.clientSecretEnv: '%s' is not one of secret.env; the client secret must come from the Secret" .clientSecretEnv) -}}
{{- end -}}
{{- if not (hasPrefix "https://" .publicUrl) -}}
{{- fail "sso.publicUrl: sso.clientId needs the https:// address users open Drover at (the redirect URI is {publicUrl}/auth/callback)" -}}
{{- end -}}
{{- if and (gt (int $.Values.replicaCount) 1) (not .sessionKeysClaim) -}}
{{- fail "sso.sessionKeysClaim: with more than one replica every replica must read the same session keys; name a ReadWriteMany claim" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if not .Values.secret.existingSecret -}}
{{- range $name, $key := $env -}}
{{- if not (hasKey $.Values.secret.data $key) -}}
{{- fail (printf "secret.data: key '%s' (for %s) is missing; give it, or name a Secret you manage in secret.existingSecret" $key $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
