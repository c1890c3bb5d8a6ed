package authz_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/safedock/safedock/authz"
)

// FuzzDecodeRequest feeds arbitrary plugin requests (and create bodies) to
// the decoder and the policy: neither may panic, and whatever does not
// decode must be denied.
func FuzzDecodeRequest(f *testing.F) {
	seed := func(method, uri string, body string) {
		b, _ := json.Marshal(authz.Request{RequestMethod: method, RequestURI: uri, RequestBody: []byte(body),
			RequestHeaders: map[string]string{"Content-Type": "application/json"}})
		f.Add(b)
	}
	seed("POST", "/v1.41/containers/create?name=x", `{"Image":"x","HostConfig":{"Privileged":true}}`)
	seed("POST", "/containers/create", `{"Image":"x","Privileged":true}`)
	seed("POST", "/v1.41/containers/abc/update", `{"PidsLimit":-1}`)
	seed("POST", "/v1.41/containers/abc/exec", `{"User":"0","Privileged":true}`)
	seed("POST", "/v1.41/services/create", `{"TaskTemplate":{"ContainerSpec":{"Image":"x"}}}`)
	seed("POST", "/v1.41/volumes/create", `{"DriverOpts":{"device":"/etc"}}`)
	seed("GET", "/v1.41/containers/json?all=1", "")
	seed("POST", "/v1.23/containers/x/start", `{"Binds":["/:/h"]}`)
	f.Add([]byte(`{"RequestMethod":"POST","RequestURI":"/v1.41/plugins/a/b/set","RequestBody":"WyJhIl0="}`))
	f.Add([]byte(`{`))
	p, err := authz.NewPolicy()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, call, err := authz.DecodeRequest(data)
		if err != nil {
			return
		}
		d := p.Judge(context.Background(), req, call)
		if d.Allow && d.Violates {
			t.Fatalf("enforce mode allowed a violation: %s", d.Message())
		}
		if call.Method != "GET" && call.Method != "HEAD" && call.Method != "OPTIONS" && d.Allow && d.Endpoint == "read" {
			t.Fatalf("write %s %s allowed as a read", call.Method, call.Path)
		}
		_ = d.Message()
	})
}
