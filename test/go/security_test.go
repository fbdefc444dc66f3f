// The Go client's security settings against a server this test starts itself (npx tsx
// src/main.ts from the repository root) with TLS, client certificates and bearer tokens:
// credentials.NewTLS with the test CA, a client certificate for mutual TLS, and the token
// as per-RPC credentials. Certificates are made here with crypto/x509 into a temporary
// directory.
package gotest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	orchestratorv1 "github.com/ceph-orchestrator-grpc/gen/go/ceph_orchestrator/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	grpcstatus "google.golang.org/grpc/status"
)

const (
	goReaderToken = "go-reader-token-0123456789"
	goAdminToken  = "go-admin-token-0123456789"
)

// testCert is a certificate and its key, parsed and as PEM.
type testCert struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
	keyPEM  []byte
}

// issue makes a certificate for cn, signed by parent (self-signed when parent is nil).
func issue(t *testing.T, cn string, parent *testCert, isCA bool, usage x509.ExtKeyUsage, ips []net.IP, dns []string) *testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(48 * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  isCA,
		IPAddresses:           ips,
		DNSNames:              dns,
	}
	if isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{usage}
	}
	signer, signerCert := key, tmpl
	if parent != nil {
		signer, signerCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	return &testCert{
		cert:    cert,
		key:     key,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}
}

// tokenCreds sends a bearer token with every call, over TLS only.
type tokenCreds string

func (c tokenCreds) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(c)}, nil
}
func (tokenCreds) RequireTransportSecurity() bool { return true }

// startSecureServer starts the service with TLS (client certificates optional, tokens on)
// and returns its address; it is stopped when the test ends.
func startSecureServer(t *testing.T, dir string) string {
	t.Helper()
	root, _ := filepath.Abs("../..")
	tsx := filepath.Join(root, "node_modules", ".bin", "tsx")
	if _, err := os.Stat(tsx); err != nil {
		if os.Getenv("ORCH_REQUIRE_SERVER") == "1" {
			t.Fatalf("%s is missing (run scripts/setup.sh)", tsx)
		}
		t.Skipf("%s is missing: run scripts/setup.sh", tsx)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	log, _ := os.Create(filepath.Join(dir, "server.log"))
	cmd := exec.Command(tsx, "src/main.ts", "--listen", addr, "--journal=false", "--log-level", "warn",
		"--backend-opt", "delays=0", "--shutdown-grace", "500",
		"--tls-cert", filepath.Join(dir, "server.crt"), "--tls-key", filepath.Join(dir, "server.key"),
		"--tls-client-ca", filepath.Join(dir, "ca.crt"), "--client-roles", filepath.Join(dir, "roles.yaml"),
		"--tls-require-client-cert=false", "--tokens-file", filepath.Join(dir, "tokens.yaml"))
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its own group: tsx and node stop together
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		log.Close()
		if t.Failed() {
			out, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			t.Logf("server log:\n%s", out)
		}
	})
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond); err == nil {
			c.Close()
			return addr
		}
	}
	t.Fatalf("the server did not listen on %s within 60 s", addr)
	return ""
}

func TestClientSecurity(t *testing.T) {
	dir := t.TempDir()
	ca := issue(t, "go test CA", nil, true, 0, nil, nil)
	other := issue(t, "another CA", nil, true, 0, nil, nil)
	server := issue(t, "orchestrator", ca, false, x509.ExtKeyUsageServerAuth, []net.IP{net.ParseIP("127.0.0.1")}, []string{"localhost"})
	admin := issue(t, "go-admin", ca, false, x509.ExtKeyUsageClientAuth, nil, nil)
	foreign := issue(t, "go-admin", other, false, x509.ExtKeyUsageClientAuth, nil, nil)
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("ca.crt", ca.certPEM)
	write("server.crt", server.certPEM)
	write("server.key", server.keyPEM)
	write("roles.yaml", []byte("clients:\n  - { name: go-admin-cert, role: admin, identity: 'CN=go-admin' }\n"))
	hash := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	write("tokens.yaml", []byte(fmt.Sprintf("tokens:\n  - { name: go-reader, role: reader, sha256: %s }\n  - { name: go-admin, role: admin, sha256: %s }\n",
		hash(goReaderToken), hash(goAdminToken))))
	addr := startSecureServer(t, dir)

	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	connect := func(opts ...grpc.DialOption) *grpc.ClientConn {
		t.Helper()
		conn, err := grpc.NewClient(addr, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}
	withTLS := func(certs ...*testCert) grpc.DialOption {
		cfg := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
		for _, c := range certs {
			cfg.Certificates = append(cfg.Certificates, tls.Certificate{Certificate: [][]byte{c.cert.Raw}, PrivateKey: c.key})
		}
		return grpc.WithTransportCredentials(credentials.NewTLS(cfg))
	}
	code := func(err error) codes.Code { return grpcstatus.Code(err) }

	t.Run("a reader's token over TLS reads, and may not write", func(t *testing.T) {
		conn := connect(withTLS(), grpc.WithPerRPCCredentials(tokenCreds(goReaderToken)))
		hosts := orchestratorv1.NewHostServiceClient(conn)
		resp, err := hosts.ListHosts(callCtx(t, unaryTimeout), &orchestratorv1.ListHostsRequest{})
		if err != nil || len(resp.GetHosts()) == 0 {
			t.Fatalf("ListHosts: %v, %v", resp, err)
		}
		stream, err := hosts.AddHostLabel(callCtx(t, streamTimeout), &orchestratorv1.AddHostLabelRequest{Hostname: "node-1", Label: "go"})
		if err == nil {
			_, err = stream.Recv()
		}
		if code(err) != codes.PermissionDenied {
			t.Fatalf("AddHostLabel as a reader: %v, want PermissionDenied", err)
		}
	})

	t.Run("an admin's client certificate (mutual TLS) writes", func(t *testing.T) {
		conn := connect(withTLS(admin))
		stream, err := orchestratorv1.NewHostServiceClient(conn).AddHostLabel(callCtx(t, streamTimeout),
			&orchestratorv1.AddHostLabelRequest{Hostname: "node-1", Label: "go"})
		if err != nil {
			t.Fatal(err)
		}
		ops := mustRecvAll[orchestratorv1.AddHostLabelResponse](t, stream)
		if last := ops[len(ops)-1]; last.GetState() != orchestratorv1.Operation_STATE_SUCCEEDED {
			t.Fatalf("AddHostLabel ended %v", last.GetState())
		}
	})

	t.Run("no credentials, a wrong token, a certificate from another CA: unauthenticated", func(t *testing.T) {
		for name, opts := range map[string][]grpc.DialOption{
			"nothing":          {withTLS()},
			"wrong token":      {withTLS(), grpc.WithPerRPCCredentials(tokenCreds("not-a-token"))},
			"foreign cert":     {withTLS(foreign)},
			"admin, no TLS":    {grpc.WithTransportCredentials(insecure.NewCredentials())},
			"untrusted server": {grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: x509.NewCertPool()}))},
		} {
			_, err := orchestratorv1.NewOrchestratorServiceClient(connect(opts...)).GetStatus(callCtx(t, unaryTimeout), &orchestratorv1.GetStatusRequest{})
			want := codes.Unauthenticated
			if name == "admin, no TLS" || name == "untrusted server" {
				want = codes.Unavailable
			}
			if code(err) != want {
				t.Errorf("%s: %v, want %v", name, err, want)
			}
		}
	})
}
