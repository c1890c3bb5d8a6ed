package authz_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/safedock/safedock/authz"
)

func benchRequest(b *testing.B, method, uri string, body []byte) []byte {
	b.Helper()
	req := authz.Request{RequestMethod: method, RequestURI: uri, RequestBody: body,
		RequestHeaders: map[string]string{"Content-Type": "application/json", "User-Agent": "Docker-Client/28.2.2 (linux)"}}
	raw, err := json.Marshal(req)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

// BenchmarkDecide measures the whole decision path of one AuthZReq as the
// server runs it: read, decode, judge, log, answer.
func BenchmarkDecide(b *testing.B) {
	p, err := authz.NewPolicy(authz.WithFacts(testFacts, time.Second))
	if err != nil {
		b.Fatal(err)
	}
	s, err := authz.NewServer(p, authz.NewDecisionLog(io.Discard), nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		raw  []byte
	}{
		{"read", benchRequest(b, "GET", "/v1.41/containers/json", nil)},
		{"start", benchRequest(b, "POST", "/v1.41/containers/0123456789ab/start", nil)},
		{"create", benchRequest(b, "POST", "/v1.41/containers/create?name=web", hardenedBody(nil))},
		{"create-denied", benchRequest(b, "POST", "/v1.41/containers/create?name=web", hardenedBody(func(hc, _ map[string]any) { hc["Privileged"] = true }))},
	} {
		b.Run(c.name, func(b *testing.B) {
			rd := bytes.NewReader(c.raw)
			req := httptest.NewRequest("POST", authz.PathAuthZReq, rd)
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(c.raw)
				req.Body = io.NopCloser(rd)
				s.ServeHTTP(w, req)
			}
		})
	}
}

// BenchmarkJudge measures Policy.Judge alone on a decoded request.
func BenchmarkJudge(b *testing.B) {
	p, _ := authz.NewPolicy(authz.WithFacts(testFacts, time.Second))
	for _, c := range []struct{ name, method, uri string }{{"read", "GET", "/v1.41/containers/json"}, {"start", "POST", "/v1.41/containers/abc/start"}} {
		raw := benchRequest(b, c.method, c.uri, nil)
		req, call, err := authz.DecodeRequest(raw)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = p.Judge(context.Background(), req, call)
			}
		})
	}
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}
