package authz_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/safedock/safedock/authz"
)

// A policy judges one request as dockerd forwards it: here a docker run
// --privileged, which the container rules refuse.
func ExamplePolicy_Judge() {
	p, err := authz.NewPolicy(authz.WithMode(authz.ModeEnforce))
	if err != nil {
		panic(err)
	}
	body, _ := json.Marshal(map[string]any{"Image": "alpine", "User": "65534", "HostConfig": map[string]any{"Privileged": true}})
	raw, _ := json.Marshal(authz.Request{RequestMethod: "POST", RequestURI: "/v1.41/containers/create?name=web",
		RequestBody: body, RequestHeaders: map[string]string{"Content-Type": "application/json"}})
	req, call, err := authz.DecodeRequest(raw)
	if err != nil {
		panic(err)
	}
	d := p.Judge(context.Background(), req, call)
	fmt.Println("allow:", d.Allow)
	for _, id := range d.Rules()[:3] {
		fmt.Println(id)
	}
	// Output:
	// allow: false
	// container.capabilities
	// container.privileged
	// container.memory-limit
}
