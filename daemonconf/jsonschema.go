package daemonconf

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/safedock/safedock/rule"
)

// JSONSchemaID is the $id of the schema JSONSchema returns, with the engine
// version appended ("...daemon.json/28.5").
const JSONSchemaID = "https://github.com/safedock/safedock/schemas/daemon.json/"

// keyRules maps keys to the security rule whose advice their description
// carries.
var keyRules = map[string]rule.ID{
	"icc": DaemonICC, "log-level": DaemonLogLevel, "iptables": DaemonIPTables, "insecure-registries": DaemonInsecureRegistries,
	"storage-driver": DaemonStorageDriver, "tls": DaemonTLS, "tlsverify": DaemonTLS, "tlscacert": DaemonTLS, "tlscert": DaemonTLS, "tlskey": DaemonTLS,
	"hosts": DaemonTLS, "default-ulimits": DaemonDefaultUlimits, "userns-remap": DaemonUsernsRemap, "cgroup-parent": DaemonCgroupParent,
	"authorization-plugins": DaemonAuthorizationPlugin, "log-driver": DaemonRemoteLogging, "log-opts": DaemonRemoteLogging,
	"no-new-privileges": DaemonNoNewPrivileges, "live-restore": DaemonLiveRestore, "userland-proxy": DaemonUserlandProxy,
	"seccomp-profile": DaemonSeccompProfile, "experimental": DaemonExperimental,
}

// JSONSchema returns a JSON Schema (draft 2020-12) of the daemon.json keys
// engine version ver (zero: Oldest) accepts: their JSON types, closed
// value sets, descriptions with the security advice of the rule that
// judges the key, "deprecated" on keys the engine still accepts but is
// dropping or ignores, and additionalProperties false because dockerd
// refuses keys it does not know. The schema cannot express value checks
// that need the host or other keys (Validate does those); it is stricter
// than dockerd in one place: an unknown key whose value is an object of
// flag names, which dockerd ignores, is refused.
func JSONSchema(ver Version) ([]byte, error) {
	ver = ver.orOldest()
	props := map[string]any{}
	for _, k := range Schema(ver) {
		props[k.Name] = keySchema(k, ver)
	}
	s := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  JSONSchemaID + ver.String(),
		"title":                fmt.Sprintf("Docker Engine %s daemon.json (Linux)", ver),
		"description":          fmt.Sprintf("Configuration file of dockerd %s, as modelled by safedock from moby's source. A \"$schema\" key cannot be added to daemon.json: dockerd refuses unknown keys.", ver),
		"type":                 "object",
		"properties":           props,
		"additionalProperties": false,
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the schema: %w", err)
	}
	return append(b, '\n'), nil
}

func keySchema(k Key, ver Version) map[string]any {
	s := kindSchema(k.Kind)
	desc := kindNames[k.Kind]
	if since, newer := flagSince[k.Flag]; (k.Flag != "" || k.Short != "") && (!newer || ver.AtLeast(since)) {
		desc += fmt.Sprintf("; the command-line flag --%s sets the same value (and dockerd refuses the key when both are given)", k.flagName())
	}
	if !k.Since.IsZero() {
		desc += fmt.Sprintf("; since Docker %s", k.Since)
	}
	vals := k.Values
	if k.Name == "log-level" {
		vals = LogLevels(ver)
	}
	if len(vals) > 0 {
		s["enum"] = slices.Clone(vals)
	}
	switch k.Name {
	case "proxies":
		s["properties"] = map[string]any{"http-proxy": map[string]any{"type": "string"}, "https-proxy": map[string]any{"type": "string"}, "no-proxy": map[string]any{"type": "string"}}
		s["additionalProperties"] = false
	case "default-network-opts":
		s["additionalProperties"] = map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}
	}
	if id, ok := keyRules[k.Name]; ok {
		if c, ok := checks.Lookup(id); ok {
			r := c.Rule
			desc += fmt.Sprintf(". CIS Docker Benchmark advice (safedock rule %s, %q): %s", r.ID, r.Title, r.Remediation)
		}
	}
	if k.Note != "" {
		desc += ". " + k.Note
	}
	if k.Note != "" || (!k.Ignored.IsZero() && ver.AtLeast(k.Ignored)) {
		s["deprecated"] = true
	}
	s["description"] = desc
	return s
}

func kindSchema(k Kind) map[string]any {
	str := map[string]any{"type": "string"}
	integer := map[string]any{"type": "integer"}
	switch k {
	case KindBool:
		return map[string]any{"type": "boolean"}
	case KindInt:
		return map[string]any{"type": "integer"}
	case KindString, KindSize:
		return map[string]any{"type": "string"}
	case KindIP:
		return map[string]any{"type": "string"}
	case KindStrings:
		return map[string]any{"type": "array", "items": map[string]any{"type": []string{"string", "null"}}}
	case KindStringMap:
		return map[string]any{"type": "object", "additionalProperties": map[string]any{"type": []string{"string", "null"}}}
	case KindBoolMap:
		return map[string]any{"type": "object", "additionalProperties": map[string]any{"type": []string{"boolean", "null"}}}
	case KindUlimits:
		return map[string]any{"type": "object", "additionalProperties": map[string]any{
			"type": "object",
			"properties": map[string]any{
				"Name": map[string]any{"type": "string", "description": "the resource (nofile, nproc, ...); without it dockerd starts but every container fails"},
				"Soft": integer, "Hard": integer,
			},
		}}
	case KindRuntimes:
		return map[string]any{"type": "object", "additionalProperties": map[string]any{
			"type":       "object",
			"properties": map[string]any{"path": str, "runtimeArgs": map[string]any{"type": "array", "items": str}, "runtimeType": str, "options": map[string]any{"type": "object"}},
		}}
	case KindAddressPools:
		return map[string]any{"type": "array", "items": map[string]any{
			"type":       "object",
			"properties": map[string]any{"base": str, "size": integer},
		}}
	}
	return map[string]any{"type": "object"}
}
