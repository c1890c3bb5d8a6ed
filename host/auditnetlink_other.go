//go:build !linux

package host

import (
	"context"
	"errors"
)

// netlinkAuditRules: the audit netlink socket exists on Linux only.
func netlinkAuditRules(context.Context) ([]byte, error) {
	return nil, errors.New("audit netlink: not on this platform")
}
