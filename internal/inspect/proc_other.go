//go:build !linux

package inspect

import "os"

func readProcFile(path string, buf []byte) ([]byte, error) {
	b, err := os.ReadFile(path)
	return append(buf[:0], b...), err
}

func readLink(path string, buf []byte) (int, error) {
	s, err := os.Readlink(path)
	return copy(buf, s), err
}

func readDirNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}
