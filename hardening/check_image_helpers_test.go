package hardening_test

import (
	"testing"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/rule"
)

// imageCase is one image and the status one image rule gives it.
type imageCase struct {
	name   string
	img    hardening.ImageFacts
	size   int64
	layers int
	want   rule.Status
	// detail, when set, is the finding's exact detail.
	detail string
}

// imageCases evaluates each image and checks the finding of rule id, the
// test every check_image_*_test.go runs.
func imageCases(t *testing.T, id rule.ID, cases []imageCase) {
	t.Helper()
	for _, tc := range cases {
		var got *rule.Finding
		for _, f := range hardening.EvaluateImage("image:test", tc.img, tc.size, tc.layers) {
			if f.Rule == id {
				got = &f
			}
		}
		if got == nil {
			t.Fatalf("%s, %s: no finding", id, tc.name)
		}
		if got.Status != tc.want {
			t.Errorf("%s, %s: %s (%s; %s), want %s", id, tc.name, got.Status, got.Reason, got.Detail, tc.want)
		}
		if tc.detail != "" && got.Detail != tc.detail {
			t.Errorf("%s, %s: detail %q, want %q", id, tc.name, got.Detail, tc.detail)
		}
		if got.Target != "image:test" || got.Method != "inspect" {
			t.Errorf("%s, %s: target %q method %q", id, tc.name, got.Target, got.Method)
		}
	}
}
