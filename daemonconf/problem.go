package daemonconf

import (
	"errors"
	"fmt"
	"strings"
)

// Code identifies a kind of problem; tests and callers branch on codes,
// not on message text.
type Code string

// Problem codes.
const (
	CodeSyntax          Code = "syntax"           // not a JSON object (comments, trailing commas, BOM, empty)
	CodeTrailingData    Code = "trailing-data"    // more JSON after the object
	CodeDuplicateKey    Code = "duplicate-key"    // a key given twice
	CodeUnknownKey      Code = "unknown-key"      // no such key
	CodeIgnoredKey      Code = "ignored-key"      // dockerd accepts the name but ignores it
	CodeRemovedKey      Code = "removed-key"      // the engine removed the key
	CodeNewKey          Code = "key-too-new"      // the engine does not know the key yet
	CodeDeprecatedKey   Code = "deprecated-key"   // still accepted, going away
	CodeWrongType       Code = "wrong-type"       // e.g. a number where dockerd wants a string
	CodeBadValue        Code = "bad-value"        // a value dockerd rejects
	CodeFlagConflict    Code = "flag-conflict"    // the key is also given on the dockerd command line
	CodeConflict        Code = "conflict"         // keys that exclude each other
	CodeHost            Code = "host"             // the host lacks what the key needs
	CodeContainerFail   Code = "container-fail"   // dockerd starts, but containers will fail
	CodeIneffective     Code = "ineffective"      // accepted, but has no effect
	CodeBadDockerdArgs  Code = "bad-dockerd-args" // the given command line could not be read
	CodeTemplate        Code = "template"         // an unrendered template placeholder
	CodeNull            Code = "null-value"       // null leaves the default
	CodeVersionSpecific Code = "version-specific" // accepted here, refused by other engines
)

// Level says whether a problem stops dockerd (Error) or not (Warning).
type Level string

// Levels.
const (
	LevelError   Level = "error"
	LevelWarning Level = "warning"
)

// Effect says what an error does.
type Effect string

// Effects of errors.
const (
	// EffectRefuse: dockerd refuses to start with the file.
	EffectRefuse Effect = "refuse"
	// EffectContainers: dockerd starts, but every container fails to start.
	EffectContainers Effect = "containers-fail"
)

// Problem is one thing wrong with a daemon.json file.
type Problem struct {
	Code   Code   `json:"code"`
	Level  Level  `json:"level"`
	Effect Effect `json:"effect,omitempty"`
	Key    string `json:"key,omitempty"`
	Pos    Pos    `json:"-"`
	// HostDependent is set when the verdict depends on the host (a missing
	// binary, storage driver, user or plugin) rather than on the file.
	HostDependent bool   `json:"host_dependent,omitempty"`
	Message       string `json:"message"`
	Hint          string `json:"hint,omitempty"`
}

// String renders "LINE:COL: key: message (hint)".
func (p Problem) String() string {
	var b strings.Builder
	if p.Pos.Line > 0 {
		b.WriteString(p.Pos.String() + ": ")
	}
	if p.Key != "" && !strings.Contains(p.Message, p.Key) {
		b.WriteString(p.Key + ": ")
	}
	b.WriteString(p.Message)
	if p.Hint != "" {
		b.WriteString(" (" + p.Hint + ")")
	}
	return b.String()
}

// ErrRejected is wrapped by the error Result.Err returns, and by Write when
// it refuses a file.
var ErrRejected = errors.New("dockerd would not accept the configuration")

// ProblemsError carries the errors of a validation; use errors.As to get
// at the problems, errors.Is(err, ErrRejected) to branch.
type ProblemsError struct {
	Problems []Problem
}

func (e *ProblemsError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.String()
	}
	return fmt.Sprintf("%v: %s", ErrRejected, strings.Join(msgs, "; "))
}

// Unwrap lets errors.Is find ErrRejected.
func (e *ProblemsError) Unwrap() error { return ErrRejected }
