package podmanconf

import (
	"fmt"
	"io/fs"
	"slices"

	"github.com/safedock/safedock/rule"
)

// FileFacts is one of Podman's files as the caller stat'ed it (without
// following a final symlink).
type FileFacts struct {
	// Path is the in-root path.
	Path string
	// Missing is true when the path does not exist; Err when it could not
	// be examined.
	Missing bool
	Err     error
	// Mode is the Go file mode; Perm the raw permission bits.
	Mode     fs.FileMode
	Perm     uint32
	UID, GID uint32
	// Owner and Group are the names of UID and GID in the root's accounts
	// ("" when unknown).
	Owner, Group string
	// Socket marks Podman's API socket (judged by FilePodmanSocket); the
	// rest are configuration files (FilePodmanConfig).
	Socket bool
}

// FileMethod is how the file findings were decided.
const FileMethod = "lstat without following symlinks"

// fileChecks are the file rules.
var fileChecks = rule.Checks[FileFacts]{podmanSocket, podmanConfigFile}.MustValidate()

// FileChecks returns the file rules, as a copy.
func FileChecks() rule.Checks[FileFacts] { return slices.Clone(fileChecks) }

// AuditFiles judges every file with the rule for its kind; a missing file
// is not reported (a configuration file Podman does not find is not read,
// and a socket that is absent serves no one).
func AuditFiles(files []FileFacts) rule.Report {
	var out []rule.Finding
	for _, f := range files {
		if f.Missing {
			continue
		}
		c := podmanConfigFile
		if f.Socket {
			c = podmanSocket
		}
		fd := c.Finding("file:"+f.Path, f)
		fd.Method = FileMethod
		out = append(out, fd)
	}
	return rule.NewReport(out)
}

func ownerDetail(f FileFacts) string {
	owner, group := f.Owner, f.Group
	if owner == "" {
		owner = fmt.Sprint(f.UID)
	}
	if group == "" {
		group = fmt.Sprint(f.GID)
	}
	return fmt.Sprintf("%s: %s:%s %04o", f.Path, owner, group, f.Perm)
}
