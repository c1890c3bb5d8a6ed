package main

import (
	"os"
	"syscall"
)

// chownLike gives f the owner and group of like, when the caller may; a
// failure leaves the new file owned by the caller, which is what a plain
// rewrite would do.
func chownLike(f *os.File, like os.FileInfo) {
	if st, ok := like.Sys().(*syscall.Stat_t); ok {
		_ = f.Chown(int(st.Uid), int(st.Gid))
	}
}
