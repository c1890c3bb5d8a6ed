// Package tctest holds the testcontainers-go tests of safedock's modifiers
// and Verify. It is a module of its own so that safedock itself never
// depends on testcontainers-go.
package tctest
