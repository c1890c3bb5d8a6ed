package host

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Audit netlink constants (linux/audit.h).
const (
	auditListRules = 1013 // AUDIT_LIST_RULES
	auditBitmask   = 64   // AUDIT_BITMASK_SIZE
	auditMaxFields = 64   // AUDIT_MAX_FIELDS
	// audit_rule_data: flags, action, field_count, mask[64], fields[64],
	// values[64], fieldflags[64], buflen, then buf.
	auditRuleHeader = 4*3 + 4*auditBitmask + 4*auditMaxFields*3 + 4

	auditFieldWatch = 105 // AUDIT_WATCH: a path, in buf
	auditFieldPerm  = 106 // AUDIT_PERM: AUDIT_PERM_{EXEC,WRITE,READ,ATTR}
	auditFieldDir   = 107 // AUDIT_DIR: a directory, in buf
	auditFieldKey   = 210 // AUDIT_FILTERKEY: the key, in buf
)

// auditStringFields are the field types whose value is a string in buf
// (its length is the field's value), in the kernel's audit_krule_to_data.
var auditStringFields = map[uint32]bool{
	13: true, 14: true, 15: true, 16: true, 17: true, // AUDIT_SUBJ_{USER,ROLE,TYPE,SEN,CLR}
	19: true, 20: true, 21: true, 22: true, 23: true, // AUDIT_OBJ_{USER,ROLE,TYPE,LEV_LOW,LEV_HIGH}
	auditFieldWatch: true, auditFieldDir: true, 112: true, // AUDIT_EXE
	auditFieldKey: true,
}

// netlinkAuditRules lists the kernel's audit rules over NETLINK_AUDIT and
// renders each as auditctl -l does for what the audit reads: a watch (a
// path or directory with perms and keys) as `-w /x -p wa -k k`, any other
// rule as `-a always,exit` with its path, dir, perm and key fields; one
// rule per line, "No rules" when there are none.
func netlinkAuditRules(ctx context.Context) ([]byte, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_AUDIT)
	if err != nil {
		return nil, fmt.Errorf("audit netlink socket: %w", err)
	}
	defer unix.Close(fd)
	deadline := time.Now().Add(2 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	tv := unix.NsecToTimeval(time.Until(deadline).Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return nil, fmt.Errorf("audit netlink socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("audit netlink bind: %w", err)
	}
	req := make([]byte, unix.SizeofNlMsghdr)
	binary.NativeEndian.PutUint32(req[0:], unix.SizeofNlMsghdr)
	binary.NativeEndian.PutUint16(req[4:], auditListRules)
	binary.NativeEndian.PutUint16(req[6:], unix.NLM_F_REQUEST|unix.NLM_F_ACK)
	binary.NativeEndian.PutUint32(req[8:], 1)
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("audit netlink request: %w", err)
	}
	var out bytes.Buffer
	buf := make([]byte, 1<<16)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return nil, fmt.Errorf("audit netlink reply: %w", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return nil, fmt.Errorf("audit netlink reply: %w", err)
		}
		for _, m := range msgs {
			switch m.Header.Type {
			case unix.NLMSG_DONE:
				if out.Len() == 0 {
					return []byte("No rules\n"), nil
				}
				return out.Bytes(), nil
			case unix.NLMSG_ERROR:
				if len(m.Data) >= 4 {
					if code := int32(binary.NativeEndian.Uint32(m.Data)); code != 0 {
						return nil, fmt.Errorf("audit netlink: %w", unix.Errno(-code))
					}
				}
				// The ACK of the request; the rules follow.
			case auditListRules:
				line, err := auditRuleLine(m.Data)
				if err != nil {
					return nil, err
				}
				out.WriteString(line)
				out.WriteByte('\n')
			}
		}
	}
}

// auditRuleLine renders one audit_rule_data.
func auditRuleLine(d []byte) (string, error) {
	if len(d) < auditRuleHeader {
		return "", errors.New("audit netlink: short rule")
	}
	u32 := func(off int) uint32 { return binary.NativeEndian.Uint32(d[off:]) }
	count := int(u32(8))
	if count > auditMaxFields {
		return "", errors.New("audit netlink: malformed rule")
	}
	fieldsAt := 12 + 4*auditBitmask
	valuesAt := fieldsAt + 4*auditMaxFields
	str := d[auditRuleHeader:]
	if buflen := int(u32(auditRuleHeader - 4)); buflen < len(str) {
		str = str[:buflen]
	}
	var path, perm string
	var keys, fields []string
	watchOnly := true // only a path or dir, perms and keys: auditctl prints it as -w
	for i := range count {
		typ, val := u32(fieldsAt+4*i), u32(valuesAt+4*i)
		if auditStringFields[typ] {
			if int(val) > len(str) {
				return "", errors.New("audit netlink: malformed rule strings")
			}
			s := string(str[:val])
			str = str[val:]
			switch typ {
			case auditFieldWatch:
				path = s
				fields = append(fields, "-F path="+s)
			case auditFieldDir:
				path = s
				fields = append(fields, "-F dir="+s)
			case auditFieldKey:
				keys = append(keys, strings.Split(s, "\x01")...) // AUDIT_KEY_SEPARATOR
			default:
				watchOnly = false
			}
			continue
		}
		switch typ {
		case auditFieldPerm:
			perm = auditPerms(val)
			fields = append(fields, "-F perm="+perm)
		default:
			watchOnly = false
		}
	}
	var parts []string
	if watchOnly && path != "" {
		parts = []string{"-w", path}
		if perm != "" {
			parts = append(parts, "-p", perm)
		}
		for _, k := range keys {
			parts = append(parts, "-k", k)
		}
	} else {
		parts = append([]string{"-a always,exit"}, fields...)
		for _, k := range keys {
			parts = append(parts, "-F key="+k)
		}
	}
	return strings.Join(parts, " "), nil
}

// auditPerms renders an AUDIT_PERM mask as auditctl does ("rwxa").
func auditPerms(v uint32) string {
	var b strings.Builder
	for _, p := range []struct {
		bit uint32
		c   byte
	}{{4, 'r'}, {2, 'w'}, {1, 'x'}, {8, 'a'}} {
		if v&p.bit != 0 {
			b.WriteByte(p.c)
		}
	}
	return b.String()
}
