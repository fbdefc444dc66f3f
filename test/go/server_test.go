// Helpers of the Go client tests (client_test.go): how they reach the running server, and
// the checks that every write's Operation stream and every error status share.
//
// The client tests talk to a server that scripts/test-clients.sh starts:
//   - ORCH_ADDR, host:port of a server over the default sim fixture with delays=0, fresh
//     (the tests add node-4 and create OSDs on it, so a second run needs a new server);
//   - ORCH_FAILING_ADDR, host:port of a server whose sim backend cannot reach node-2
//     (failures={"unreachableHosts":["node-2"]}), for the failed-operation test.
//
// Without ORCH_ADDR (a plain `go test ./...`) the client tests skip; scripts/test-clients.sh
// sets ORCH_REQUIRE_SERVER=1 so that a missing address fails instead of skipping.
package gotest

import (
	"context"
	"errors"
	"io"
	"os"
	"regexp"
	"testing"
	"time"

	orchestratorv1 "github.com/ceph-orchestrator-grpc/gen/go/ceph_orchestrator/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	grpcstatus "google.golang.org/grpc/status"
)

const (
	// The longest a unary call may take.
	unaryTimeout = 10 * time.Second
	// The longest a write's whole stream may take (the sim runs with delays=0).
	streamTimeout = 30 * time.Second
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// serverAddr returns the address in the environment variable env, or skips the test (fails
// it when ORCH_REQUIRE_SERVER=1) when it is unset.
func serverAddr(t *testing.T, env string) string {
	t.Helper()
	addr := os.Getenv(env)
	if addr == "" {
		if os.Getenv("ORCH_REQUIRE_SERVER") == "1" {
			t.Fatalf("%s is not set, and ORCH_REQUIRE_SERVER=1", env)
		}
		t.Skipf("%s is not set: run scripts/test-clients.sh, which starts the server", env)
	}
	return addr
}

// dial opens a plaintext client connection to the server in env; the test closes it.
func dial(t *testing.T, env string) *grpc.ClientConn {
	t.Helper()
	addr := serverAddr(t, env)
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("grpc.NewClient(%q): %v", addr, err)
	}
	t.Cleanup(func() {
		if err := conn.Close(); err != nil {
			t.Errorf("closing the connection: %v", err)
		}
	})
	return conn
}

// callCtx returns a context with a deadline d from now, cancelled when the test ends.
func callCtx(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// opMessage is a pointer to a write's response message (or WatchOperation's): each
// carries the operation's full state.
type opMessage[T any] interface {
	*T
	GetOperation() *orchestratorv1.Operation
}

// recvAll reads a server stream to its end and returns the operation of each message. The
// stream must end with status OK (io.EOF); a non-OK status is returned as the error.
func recvAll[T any, PT opMessage[T]](t *testing.T, stream grpc.ServerStreamingClient[T]) ([]*orchestratorv1.Operation, error) {
	t.Helper()
	var ops []*orchestratorv1.Operation
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return ops, nil
		}
		if err != nil {
			return ops, err
		}
		op := PT(msg).GetOperation()
		if op == nil {
			t.Fatalf("stream message %d has no operation: %v", len(ops), msg)
		}
		ops = append(ops, op)
	}
}

// mustRecvAll is recvAll for a stream that must end with OK.
func mustRecvAll[T any, PT opMessage[T]](t *testing.T, stream grpc.ServerStreamingClient[T]) []*orchestratorv1.Operation {
	t.Helper()
	ops, err := recvAll[T, PT](t, stream)
	if err != nil {
		t.Fatalf("stream ended with %v after %d messages, want OK", err, len(ops))
	}
	return ops
}

// stateRank orders the states as the stream contract does: ACCEPTED < PERSISTENT < RUNNING
// < a terminal state.
func stateRank(s orchestratorv1.Operation_State) int {
	switch s {
	case orchestratorv1.Operation_STATE_ACCEPTED:
		return 1
	case orchestratorv1.Operation_STATE_PERSISTENT:
		return 2
	case orchestratorv1.Operation_STATE_RUNNING:
		return 3
	case orchestratorv1.Operation_STATE_SUCCEEDED, orchestratorv1.Operation_STATE_FAILED, orchestratorv1.Operation_STATE_CANCELLED:
		return 4
	}
	return 0
}

func isTerminal(s orchestratorv1.Operation_State) bool { return stateRank(s) == 4 }

// checkOperationStream checks the write stream contract (operation.proto) on the messages
// of one write: ACCEPTED first with a UUID id, then PERSISTENT, then RUNNING ones, then
// exactly one terminal message, the last, in state want; every message the same operation
// of the RPC method, progress between 0 and 1 and never decreasing, `done` only on the
// terminal message, `persistent` from PERSISTENT on. It returns the terminal operation.
func checkOperationStream(t *testing.T, ops []*orchestratorv1.Operation, method string, want orchestratorv1.Operation_State) *orchestratorv1.Operation {
	t.Helper()
	var states []string
	for _, op := range ops {
		states = append(states, op.GetState().String())
	}
	t.Logf("%s stream: %v", method, states)
	if len(ops) < 3 {
		t.Fatalf("got %d messages %v, want at least ACCEPTED, PERSISTENT and a terminal state", len(ops), states)
	}

	first := ops[0]
	if first.GetState() != orchestratorv1.Operation_STATE_ACCEPTED {
		t.Errorf("message 0 is %v, want STATE_ACCEPTED", first.GetState())
	}
	id := first.GetId()
	if !uuidPattern.MatchString(id) {
		t.Errorf("message 0 id = %q, want a UUID", id)
	}
	if first.GetPersistent() || first.GetDone() {
		t.Errorf("message 0: persistent=%v done=%v, want both false", first.GetPersistent(), first.GetDone())
	}
	if ops[1].GetState() != orchestratorv1.Operation_STATE_PERSISTENT {
		t.Errorf("message 1 is %v, want STATE_PERSISTENT", ops[1].GetState())
	}

	prevRank, prevProgress := 0, 0.0
	for i, op := range ops {
		if op.GetId() != id {
			t.Errorf("message %d id = %q, want %q (the same operation)", i, op.GetId(), id)
		}
		if op.GetMethod() != method {
			t.Errorf("message %d method = %q, want %q", i, op.GetMethod(), method)
		}
		rank := stateRank(op.GetState())
		if rank == 0 {
			t.Errorf("message %d has state %v", i, op.GetState())
		}
		if rank < prevRank {
			t.Errorf("message %d: state %v after %v: states go backwards", i, op.GetState(), ops[i-1].GetState())
		}
		prevRank = rank
		if p := op.GetProgress(); p < 0 || p > 1 {
			t.Errorf("message %d progress = %v, want 0 to 1", i, p)
		} else if p < prevProgress {
			t.Errorf("message %d progress = %v, less than the previous %v", i, p, prevProgress)
		} else {
			prevProgress = p
		}
		last := i == len(ops)-1
		if isTerminal(op.GetState()) != last {
			t.Errorf("message %d (%v): terminal=%v, want exactly one terminal message, the last", i, op.GetState(), !last)
		}
		if op.GetDone() != last {
			t.Errorf("message %d (%v): done=%v, want %v", i, op.GetState(), op.GetDone(), last)
		}
		if rank >= 2 && !op.GetPersistent() {
			t.Errorf("message %d (%v): persistent=false, want true from STATE_PERSISTENT on", i, op.GetState())
		}
		if !last && op.GetOutcome() != nil {
			t.Errorf("message %d (%v) has an outcome before the operation ended", i, op.GetState())
		}
		if op.GetCreateTime() == nil || op.GetUpdateTime() == nil {
			t.Errorf("message %d lacks create_time or update_time", i)
		}
	}

	end := ops[len(ops)-1]
	if end.GetState() != want {
		t.Fatalf("terminal state %v (message %q, error %v), want %v", end.GetState(), end.GetMessage(), end.GetError(), want)
	}
	if end.GetEndTime() == nil {
		t.Errorf("terminal message lacks end_time")
	}
	return end
}

// errorInfo returns the google.rpc.ErrorInfo among details, failing the test if there is
// none or it is not in the orchestrator's domain.
func errorInfo(t *testing.T, details []any) *errdetails.ErrorInfo {
	t.Helper()
	for _, d := range details {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			if info.GetDomain() != "orchestrator.ceph.io" {
				t.Errorf("ErrorInfo.domain = %q, want orchestrator.ceph.io", info.GetDomain())
			}
			return info
		}
	}
	t.Fatalf("no google.rpc.ErrorInfo among the status details %v", details)
	return nil
}

// detailOf returns the first detail of type T, or fails the test.
func detailOf[T any](t *testing.T, details []any) T {
	t.Helper()
	for _, d := range details {
		if v, ok := d.(T); ok {
			return v
		}
	}
	var zero T
	t.Fatalf("no %T among the status details %v", zero, details)
	return zero
}

// requireStatus decodes err as a gRPC status, requires its code, and returns its decoded
// details (status.Convert(err).Details()), none of which may fail to decode.
func requireStatus(t *testing.T, err error, want codes.Code) (*grpcstatus.Status, []any) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", want)
	}
	st := grpcstatus.Convert(err)
	if st.Code() != want {
		t.Fatalf("got %v (%q), want %v", st.Code(), st.Message(), want)
	}
	details := st.Details()
	for i, d := range details {
		if e, ok := d.(error); ok {
			t.Errorf("status detail %d does not decode: %v", i, e)
		}
	}
	return st, details
}
