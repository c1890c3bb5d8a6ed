// Command probe is a tiny static program that runs inside test containers
// and reports what the kernel enforces on it: credentials, capabilities,
// no_new_privs, seccomp mode, cgroup limits and whether / is writable.
//
// Usage:
//
//	probe status            print a JSON Status and exit 0
//	probe exit N            exit with code N
//	probe sleep [SECONDS]   sleep (forever without an argument)
//	probe listen PORT       accept TCP connections on PORT until killed
//	probe connect ADDR      dial ADDR over TCP (2 s timeout); exit 0 if it connected
//	probe echo WORDS...     print WORDS
//	probe health            exit 0 (a HEALTHCHECK command)
//
// When started under the name "sshd" it sleeps forever, so tests can make
// a container whose process list holds an sshd.
package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Status is what "probe status" prints.
type Status struct {
	UID         int    `json:"uid"`
	GID         int    `json:"gid"`
	CapEff      string `json:"cap_eff"`
	CapPrm      string `json:"cap_prm"`
	CapBnd      string `json:"cap_bnd"`
	NoNewPrivs  string `json:"no_new_privs"`
	Seccomp     string `json:"seccomp"`
	WriteRoot   string `json:"write_root"` // "ok" or the error
	WriteTmp    string `json:"write_tmp"`  // "ok" or the error
	PidsMax     string `json:"pids_max"`
	MemoryLimit string `json:"memory_limit"`
}

func main() {
	if filepath.Base(os.Args[0]) == "sshd" {
		sleepForever()
	}
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: probe status|exit N|sleep [S]|listen PORT|connect ADDR|echo ...|health")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "status":
		st := status()
		b, _ := json.Marshal(st)
		fmt.Println(string(b))
	case "exit":
		code := 0
		if len(os.Args) > 2 {
			code, _ = strconv.Atoi(os.Args[2])
		}
		fmt.Println("exiting with", code)
		os.Exit(code)
	case "sleep":
		if len(os.Args) > 2 {
			s, _ := strconv.Atoi(os.Args[2])
			time.Sleep(time.Duration(s) * time.Second)
			return
		}
		sleepForever()
	case "listen":
		ln, err := net.Listen("tcp", ":"+os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, "listen:", err)
			os.Exit(1)
		}
		fmt.Println("listening")
		for {
			c, err := ln.Accept()
			if err != nil {
				continue
			}
			fmt.Fprintln(c, "hello")
			c.Close()
		}
	case "connect":
		c, err := net.DialTimeout("tcp", os.Args[2], 2*time.Second)
		if err != nil {
			fmt.Println("refused:", err)
			os.Exit(1)
		}
		c.Close()
		fmt.Println("connected")
	case "echo":
		fmt.Println(strings.Join(os.Args[2:], " "))
	case "health":
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
		os.Exit(2)
	}
}

func status() Status {
	st := Status{UID: os.Getuid(), GID: os.Getgid()}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			v = strings.TrimSpace(v)
			switch k {
			case "CapEff":
				st.CapEff = v
			case "CapPrm":
				st.CapPrm = v
			case "CapBnd":
				st.CapBnd = v
			case "NoNewPrivs":
				st.NoNewPrivs = v
			case "Seccomp":
				st.Seccomp = v
			}
		}
	}
	st.WriteRoot = tryWrite("/probe-write-test")
	st.WriteTmp = tryWrite("/tmp/probe-write-test")
	st.PidsMax = firstFile("/sys/fs/cgroup/pids/pids.max", "/sys/fs/cgroup/pids.max")
	st.MemoryLimit = firstFile("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory.max")
	return st
}

func tryWrite(path string) string {
	err := os.WriteFile(path, []byte("x"), 0o600)
	if err != nil {
		return err.Error()
	}
	os.Remove(path)
	return "ok"
}

func firstFile(paths ...string) string {
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			return strings.TrimSpace(string(b))
		}
	}
	return ""
}

// sleepForever blocks without tripping the runtime's deadlock detector
// (a bare select{} in a program with no other goroutines crashes).
func sleepForever() {
	for {
		time.Sleep(time.Hour)
	}
}
