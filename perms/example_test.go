package perms_test

import (
	"fmt"

	"github.com/safedock/safedock/perms"
)

// "644 or stricter" is a bitwise test, not a numeric one.
func ExampleStricter() {
	for _, mode := range []uint32{0o644, 0o600, 0o470, 0o507} {
		fmt.Printf("%04o within 0644: %v\n", mode, perms.Stricter(mode, 0o644))
	}
	// Output:
	// 0644 within 0644: true
	// 0600 within 0644: true
	// 0470 within 0644: false
	// 0507 within 0644: false
}

// Check a tree that is not this machine's root: a mounted image, or here an
// empty directory, where every file is missing and so skipped, never passed.
func ExampleCheck() {
	rep, err := perms.Check(perms.Config{Root: "testdata/empty"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("pass %d, fail %d, skip %d\n", rep.Summary.Pass, rep.Summary.Fail, rep.Summary.Skip)
	// Output:
	// pass 1, fail 0, skip 28
}
