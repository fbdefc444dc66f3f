// Go client tests: the generated module github.com/ceph-orchestrator-grpc/gen/go against a
// running server (see server_test.go for ORCH_ADDR and ORCH_FAILING_ADDR). Run them with
// scripts/test-clients.sh, which starts the servers; every call has a deadline.
//
// The tests expect the default sim fixture: hosts node-1..node-3 in the cluster, spare
// hosts node-4 and node-5. Only TestClientCreateOsdsStream changes the cluster (it adds
// node-4 and creates OSDs on its HDDs); the other tests hold whether it ran before or not.
package gotest

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	orchestratorv1 "github.com/ceph-orchestrator-grpc/gen/go/ceph_orchestrator/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"
)

const (
	// The sim fixture's cluster fsid (backends/sim/fixtures/default.yaml).
	fixtureFsid = "8c3e5f2a-4b7d-11ef-9a1c-525400a1b2c3"
	// node-3's /dev/sdf, a 20 TB HDD: above 2^44 bytes, so it needs int64 end to end.
	bigDiskBytes = int64(20000588955648)
)

func TestClientGetStatus(t *testing.T) {
	client := orchestratorv1.NewOrchestratorServiceClient(dial(t, "ORCH_ADDR"))
	resp, err := client.GetStatus(callCtx(t, unaryTimeout), &orchestratorv1.GetStatusRequest{})
	if err != nil {
		t.Fatalf("GetStatus: %v", err)
	}
	if !resp.GetAvailable() || resp.GetReason() != "" {
		t.Errorf("available=%v reason=%q, want available with no reason", resp.GetAvailable(), resp.GetReason())
	}
	if resp.GetBackend() != "sim" {
		t.Errorf("backend = %q, want sim", resp.GetBackend())
	}
	if got := resp.GetDetails()["fsid"]; got != fixtureFsid {
		t.Errorf("details[fsid] = %q, want %q", got, fixtureFsid)
	}
}

// GetCapabilities lists every RPC of the API exactly once: the set is the one in the
// descriptors compiled into gen/go.
func TestClientGetCapabilities(t *testing.T) {
	client := orchestratorv1.NewOrchestratorServiceClient(dial(t, "ORCH_ADDR"))
	resp, err := client.GetCapabilities(callCtx(t, unaryTimeout), &orchestratorv1.GetCapabilitiesRequest{})
	if err != nil {
		t.Fatalf("GetCapabilities: %v", err)
	}
	if resp.GetBackend() != "sim" || resp.GetVersion() == "" {
		t.Errorf("backend=%q version=%q, want sim and a version", resp.GetBackend(), resp.GetVersion())
	}

	var want []string
	protoregistry.GlobalFiles.RangeFilesByPackage("ceph_orchestrator.v1", func(fd protoreflect.FileDescriptor) bool {
		for i := 0; i < fd.Services().Len(); i++ {
			methods := fd.Services().Get(i).Methods()
			for j := 0; j < methods.Len(); j++ {
				want = append(want, string(methods.Get(j).FullName()))
			}
		}
		return true
	})
	if len(want) < 30 {
		t.Fatalf("found only %d RPCs in the gen/go descriptors: %v", len(want), want)
	}
	supported := map[string]bool{}
	var got []string
	for _, rpc := range resp.GetRpcs() {
		if _, dup := supported[rpc.GetMethod()]; dup {
			t.Errorf("%s is listed twice", rpc.GetMethod())
		}
		supported[rpc.GetMethod()] = rpc.GetSupported()
		got = append(got, rpc.GetMethod())
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, slices.Compact(got)); diff != "" {
		t.Errorf("capability methods differ from the API's RPCs (-api +capabilities):\n%s", diff)
	}
	for _, m := range []string{
		"ceph_orchestrator.v1.OrchestratorService.GetStatus",
		"ceph_orchestrator.v1.HostService.AddHost",
		"ceph_orchestrator.v1.HostService.ListHosts",
		"ceph_orchestrator.v1.InventoryService.GetInventory",
		"ceph_orchestrator.v1.OsdService.CreateOsds",
		"ceph_orchestrator.v1.ServiceService.ListDaemons",
		"ceph_orchestrator.v1.OperationService.WatchOperation",
	} {
		if !supported[m] {
			t.Errorf("%s: supported=false, want true for the sim backend", m)
		}
	}
}

// page_size 1 walks every host one page at a time, by name, with a consistent total_size.
func TestClientListHostsPagination(t *testing.T) {
	client := orchestratorv1.NewHostServiceClient(dial(t, "ORCH_ADDR"))
	var names []string
	token := ""
	for page := 0; ; page++ {
		if page > 20 {
			t.Fatalf("more than 20 pages of one host: the page tokens do not advance (%v)", names)
		}
		resp, err := client.ListHosts(callCtx(t, unaryTimeout), &orchestratorv1.ListHostsRequest{PageSize: 1, PageToken: token})
		if err != nil {
			t.Fatalf("ListHosts page %d: %v", page, err)
		}
		if len(resp.GetHosts()) != 1 {
			t.Fatalf("page %d has %d hosts, want 1", page, len(resp.GetHosts()))
		}
		h := resp.GetHosts()[0]
		names = append(names, h.GetHostname())
		if h.GetStatus() != orchestratorv1.Host_STATUS_ONLINE {
			t.Errorf("host %s status = %v, want STATUS_ONLINE", h.GetHostname(), h.GetStatus())
		}
		if int(resp.GetTotalSize()) < len(names) {
			t.Errorf("page %d total_size = %d, but %d hosts were returned so far", page, resp.GetTotalSize(), len(names))
		}
		token = resp.GetNextPageToken()
		if token == "" {
			if int(resp.GetTotalSize()) != len(names) {
				t.Errorf("total_size = %d, but the pages held %d hosts %v", resp.GetTotalSize(), len(names), names)
			}
			break
		}
	}
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("hosts %v: want distinct names in order", names)
	}
	for _, want := range []string{"node-1", "node-2", "node-3"} {
		if !slices.Contains(names, want) {
			t.Errorf("hosts %v lack %s", names, want)
		}
	}

	// All on one page, and the label filter.
	all, err := client.ListHosts(callCtx(t, unaryTimeout), &orchestratorv1.ListHostsRequest{})
	if err != nil {
		t.Fatalf("ListHosts: %v", err)
	}
	var allNames []string
	for _, h := range all.GetHosts() {
		allNames = append(allNames, h.GetHostname())
	}
	if all.GetNextPageToken() != "" {
		t.Errorf("ListHosts without page_size: next_page_token = %q, want the last page", all.GetNextPageToken())
	}
	if diff := cmp.Diff(names, allNames); diff != "" {
		t.Errorf("one page differs from the walk of pages (-walk +one page):\n%s", diff)
	}
	admin, err := client.ListHosts(callCtx(t, unaryTimeout), &orchestratorv1.ListHostsRequest{Label: "_admin"})
	if err != nil {
		t.Fatalf("ListHosts label=_admin: %v", err)
	}
	if len(admin.GetHosts()) != 1 || admin.GetHosts()[0].GetHostname() != "node-1" || admin.GetHosts()[0].GetAddr() != "10.0.0.11" {
		t.Errorf("label _admin: got %v, want node-1 (10.0.0.11) only", admin.GetHosts())
	}
}

// Device sizes are int64 and exact above 2^53 would be; sys_api is the raw report as a Struct.
func TestClientGetInventory(t *testing.T) {
	client := orchestratorv1.NewInventoryServiceClient(dial(t, "ORCH_ADDR"))
	resp, err := client.GetInventory(callCtx(t, unaryTimeout), &orchestratorv1.GetInventoryRequest{Hostnames: []string{"node-3"}})
	if err != nil {
		t.Fatalf("GetInventory: %v", err)
	}
	if len(resp.GetHosts()) != 1 || resp.GetHosts()[0].GetHostname() != "node-3" {
		t.Fatalf("got hosts %v, want node-3 only", resp.GetHosts())
	}
	host := resp.GetHosts()[0]
	if host.GetAddr() != "10.0.0.13" || host.GetLastRefresh() == nil {
		t.Errorf("node-3: addr=%q last_refresh=%v, want 10.0.0.13 and a time", host.GetAddr(), host.GetLastRefresh())
	}
	var sdf *orchestratorv1.Device
	for _, d := range host.GetDevices() {
		if d.GetPath() == "/dev/sdf" {
			sdf = d
		}
		if d.GetSysApi() == nil {
			t.Errorf("%s has no sys_api", d.GetPath())
		}
	}
	if sdf == nil {
		t.Fatalf("node-3 has no /dev/sdf among %d devices", len(host.GetDevices()))
	}
	var size int64 = sdf.GetSizeBytes() // int64 in the generated type: a compile-time check
	if size != bigDiskBytes {
		t.Errorf("/dev/sdf size_bytes = %d, want %d", size, bigDiskBytes)
	}
	if sdf.GetType() != orchestratorv1.Device_TYPE_HDD || !sdf.GetRotational() || !sdf.GetAvailable() || sdf.GetOsdId() != -1 {
		t.Errorf("/dev/sdf: type=%v rotational=%v available=%v osd_id=%d, want an available HDD without OSD",
			sdf.GetType(), sdf.GetRotational(), sdf.GetAvailable(), sdf.GetOsdId())
	}
	if sdf.GetDeviceId() != "SEAGATE_ST20000NM002D_ZVT0A1B2" || sdf.GetHumanReadableSize() != "18.19 TB" {
		t.Errorf("/dev/sdf: device_id=%q human_readable_size=%q", sdf.GetDeviceId(), sdf.GetHumanReadableSize())
	}

	var sysAPI *structpb.Struct = sdf.GetSysApi()
	fields := sysAPI.GetFields()
	if got := fields["size"].GetNumberValue(); got != float64(bigDiskBytes) {
		t.Errorf("sys_api.size = %v, want %d", fields["size"], bigDiskBytes)
	}
	if got := fields["rotational"].GetStringValue(); got != "1" {
		t.Errorf(`sys_api.rotational = %v, want "1"`, fields["rotational"])
	}
	if got := fields["path"].GetStringValue(); got != "/dev/sdf" {
		t.Errorf("sys_api.path = %v, want /dev/sdf", fields["path"])
	}
	if _, ok := fields["partitions"].GetKind().(*structpb.Value_StructValue); !ok {
		t.Errorf("sys_api.partitions = %v, want an object", fields["partitions"])
	}
	if got := sysAPI.AsMap()["sectors"]; got != float64(39063650304) {
		t.Errorf("sys_api.sectors = %v, want 39063650304", got)
	}

	// A host that does not exist is NOT_FOUND, with ResourceInfo.
	_, err = client.GetInventory(callCtx(t, unaryTimeout), &orchestratorv1.GetInventoryRequest{Hostnames: []string{"node-9"}})
	_, details := requireStatus(t, err, codes.NotFound)
	if info := errorInfo(t, details); info.GetReason() != "NOT_FOUND" {
		t.Errorf("ErrorInfo.reason = %q, want NOT_FOUND", info.GetReason())
	}
	if ri := detailOf[*errdetails.ResourceInfo](t, details); ri.GetResourceType() != "host" || ri.GetResourceName() != "node-9" {
		t.Errorf("ResourceInfo = %v, want host node-9", ri)
	}
}

// A write streams its operation: AddHost node-4, then CreateOsds on node-4's HDDs; the
// OSDs appear in ListDaemons; WatchOperation and GetOperation return the finished state.
func TestClientCreateOsdsStream(t *testing.T) {
	conn := dial(t, "ORCH_ADDR")
	hosts := orchestratorv1.NewHostServiceClient(conn)
	osds := orchestratorv1.NewOsdServiceClient(conn)
	services := orchestratorv1.NewServiceServiceClient(conn)
	operations := orchestratorv1.NewOperationServiceClient(conn)

	// AddHost node-4, a spare host of the fixture: it brings its devices.
	addStream, err := hosts.AddHost(callCtx(t, streamTimeout), &orchestratorv1.AddHostRequest{
		Host: &orchestratorv1.Host{Hostname: "node-4", Labels: []string{"osd"}},
	})
	if err != nil {
		t.Fatalf("AddHost: %v", err)
	}
	added := checkOperationStream(t, mustRecvAll(t, addStream), "ceph_orchestrator.v1.HostService.AddHost", orchestratorv1.Operation_STATE_SUCCEEDED)
	host := added.GetResult().GetHost()
	if host.GetHostname() != "node-4" || host.GetAddr() != "10.0.0.14" || !slices.Contains(host.GetLabels(), "osd") {
		t.Errorf("AddHost result host = %v, want node-4 at 10.0.0.14 (the fixture's address) with label osd", host)
	}
	if !slices.Equal(added.GetHosts(), []string{"node-4"}) {
		t.Errorf("AddHost operation hosts = %v, want [node-4]", added.GetHosts())
	}

	before := osdDaemons(t, services, "node-4")
	if len(before) != 0 {
		t.Fatalf("node-4 has OSD daemons %v before CreateOsds", before)
	}

	// CreateOsds on node-4's two HDDs, named by path.
	ctx := callCtx(t, streamTimeout)
	stream, err := osds.CreateOsds(ctx, &orchestratorv1.CreateOsdsRequest{Spec: &orchestratorv1.DriveGroupSpec{
		ServiceId:   "client_test",
		HostPattern: "node-4",
		DataDevices: &orchestratorv1.DeviceSelection{Paths: []string{"/dev/sdb", "/dev/sdc"}},
	}})
	if err != nil {
		t.Fatalf("CreateOsds: %v", err)
	}
	ops := mustRecvAll(t, stream)
	end := checkOperationStream(t, ops, "ceph_orchestrator.v1.OsdService.CreateOsds", orchestratorv1.Operation_STATE_SUCCEEDED)

	// Progress: the contract allows zero RUNNING messages, but this server reports each OSD
	// it creates, so two OSDs show a RUNNING message part of the way, e.g. "1 of 2 OSDs
	// created" at 0.5; and the operation ends at 1.
	var partway []string
	for _, op := range ops {
		if op.GetState() == orchestratorv1.Operation_STATE_RUNNING && op.GetProgress() > 0 && op.GetProgress() < 1 {
			partway = append(partway, op.GetMessage())
		}
	}
	if len(partway) == 0 {
		t.Errorf("no STATE_RUNNING message with progress between 0 and 1")
	}
	t.Logf("progress messages part of the way: %q", partway)
	if end.GetProgress() != 1 {
		t.Errorf("SUCCEEDED with progress %v, want 1", end.GetProgress())
	}
	if end.GetError() != nil {
		t.Errorf("SUCCEEDED with an error: %v", end.GetError())
	}
	if len(end.GetTasks()) == 0 {
		t.Errorf("CreateOsds has no tasks")
	}
	for _, task := range end.GetTasks() {
		if task.GetState() != orchestratorv1.Operation_STATE_SUCCEEDED || task.GetHostname() != "node-4" {
			t.Errorf("task %v: want SUCCEEDED on node-4", task)
		}
	}

	// The typed result: one OSD per named device, on node-4.
	created := end.GetResult().GetOsds().GetOsds()
	var data []string
	var ids []int32
	for _, o := range created {
		if o.GetHostname() != "node-4" {
			t.Errorf("created OSD %v is not on node-4", o)
		}
		data = append(data, o.GetData())
		ids = append(ids, o.GetOsdId())
	}
	slices.Sort(data)
	if !slices.Equal(data, []string{"/dev/sdb", "/dev/sdc"}) {
		t.Fatalf("created OSDs on %v, want /dev/sdb and /dev/sdc (result %v)", data, end.GetResult())
	}
	if len(slices.Compact(slices.Sorted(slices.Values(ids)))) != 2 {
		t.Errorf("created OSD ids %v, want two distinct ids", ids)
	}

	// The effect: ListDaemons shows osd.<id> running on node-4 for each created OSD.
	after := osdDaemons(t, services, "node-4")
	for _, o := range created {
		d, ok := after[o.GetOsdId()]
		if !ok {
			t.Errorf("ListDaemons on node-4 lacks osd.%d (has %v)", o.GetOsdId(), after)
			continue
		}
		if d.GetStatus() != orchestratorv1.DaemonDescription_STATUS_RUNNING || d.GetServiceName() != "osd.client_test" {
			t.Errorf("osd.%d: status=%v service=%q, want running in osd.client_test", o.GetOsdId(), d.GetStatus(), d.GetServiceName())
		}
	}
	if len(after) != len(created) {
		t.Errorf("node-4 has %d OSD daemons, want the %d created", len(after), len(created))
	}

	// The devices are no longer available, and carry their OSD's id.
	inv, err := orchestratorv1.NewInventoryServiceClient(conn).GetInventory(callCtx(t, unaryTimeout),
		&orchestratorv1.GetInventoryRequest{Hostnames: []string{"node-4"}})
	if err != nil {
		t.Fatalf("GetInventory node-4: %v", err)
	}
	if len(inv.GetHosts()) != 1 {
		t.Fatalf("GetInventory node-4 returned %d hosts, want 1", len(inv.GetHosts()))
	}
	byPath := map[string]int32{}
	for _, o := range created {
		byPath[o.GetData()] = o.GetOsdId()
	}
	for _, d := range inv.GetHosts()[0].GetDevices() {
		if id, ok := byPath[d.GetPath()]; ok && (d.GetAvailable() || d.GetOsdId() != id) {
			t.Errorf("node-4 %s: available=%v osd_id=%d, want unavailable with osd_id %d", d.GetPath(), d.GetAvailable(), d.GetOsdId(), id)
		}
	}

	// Reattach to the finished operation: its terminal state at once, then the stream ends.
	watch, err := operations.WatchOperation(callCtx(t, streamTimeout), &orchestratorv1.WatchOperationRequest{Id: end.GetId()})
	if err != nil {
		t.Fatalf("WatchOperation: %v", err)
	}
	watched := mustRecvAll(t, watch)
	if len(watched) != 1 {
		t.Fatalf("WatchOperation of a finished operation sent %d messages, want 1", len(watched))
	}
	if diff := cmp.Diff(end, watched[0], protocmp.Transform()); diff != "" {
		t.Errorf("WatchOperation differs from the stream's terminal message (-stream +watch):\n%s", diff)
	}
	got, err := operations.GetOperation(callCtx(t, unaryTimeout), &orchestratorv1.GetOperationRequest{Id: end.GetId()})
	if err != nil {
		t.Fatalf("GetOperation: %v", err)
	}
	if diff := cmp.Diff(end, got.GetOperation(), protocmp.Transform()); diff != "" {
		t.Errorf("GetOperation differs from the stream's terminal message (-stream +get):\n%s", diff)
	}
}

// osdDaemons returns the OSD daemons on hostname by OSD id.
func osdDaemons(t *testing.T, client orchestratorv1.ServiceServiceClient, hostname string) map[int32]*orchestratorv1.DaemonDescription {
	t.Helper()
	resp, err := client.ListDaemons(callCtx(t, unaryTimeout), &orchestratorv1.ListDaemonsRequest{
		DaemonType: orchestratorv1.ServiceType_SERVICE_TYPE_OSD,
		Hostname:   hostname,
	})
	if err != nil {
		t.Fatalf("ListDaemons %s: %v", hostname, err)
	}
	out := map[int32]*orchestratorv1.DaemonDescription{}
	for _, d := range resp.GetDaemons() {
		id, err := strconv.ParseInt(d.GetDaemonId(), 10, 32)
		if err != nil || d.GetDaemonName() != "osd."+d.GetDaemonId() {
			t.Errorf("OSD daemon %q (%q): want a numeric id and the name osd.<id>", d.GetDaemonId(), d.GetDaemonName())
			continue
		}
		if d.GetHostname() != hostname || d.GetDaemonType() != orchestratorv1.ServiceType_SERVICE_TYPE_OSD {
			t.Errorf("ListDaemons(osd, %s) returned %v", hostname, d)
		}
		out[int32(id)] = d
	}
	return out
}

// Invalid input is refused before any operation exists: INVALID_ARGUMENT with ErrorInfo
// INVALID_FIELD and a BadRequest naming the field, for a write stream and a unary call.
func TestClientInvalidArgument(t *testing.T) {
	conn := dial(t, "ORCH_ADDR")

	stream, err := orchestratorv1.NewHostServiceClient(conn).AddHost(callCtx(t, streamTimeout),
		&orchestratorv1.AddHostRequest{Host: &orchestratorv1.Host{Hostname: "bad host!"}})
	if err != nil {
		t.Fatalf("AddHost: %v", err)
	}
	ops, err := recvAll(t, stream)
	if len(ops) != 0 {
		t.Errorf("an invalid AddHost streamed %d operation messages, want none", len(ops))
	}
	st, details := requireStatus(t, err, codes.InvalidArgument)
	if !strings.Contains(st.Message(), "host.hostname") {
		t.Errorf("status message %q does not name host.hostname", st.Message())
	}
	if info := errorInfo(t, details); info.GetReason() != "INVALID_FIELD" {
		t.Errorf("ErrorInfo.reason = %q, want INVALID_FIELD", info.GetReason())
	}
	br := detailOf[*errdetails.BadRequest](t, details)
	if len(br.GetFieldViolations()) != 1 || br.GetFieldViolations()[0].GetField() != "host.hostname" || br.GetFieldViolations()[0].GetDescription() == "" {
		t.Errorf("BadRequest = %v, want one described violation of host.hostname", br)
	}

	_, err = orchestratorv1.NewInventoryServiceClient(conn).GetInventory(callCtx(t, unaryTimeout),
		&orchestratorv1.GetInventoryRequest{Hostnames: []string{"node-1", "bad host!"}})
	_, details = requireStatus(t, err, codes.InvalidArgument)
	if info := errorInfo(t, details); info.GetReason() != "INVALID_FIELD" {
		t.Errorf("ErrorInfo.reason = %q, want INVALID_FIELD", info.GetReason())
	}
	br = detailOf[*errdetails.BadRequest](t, details)
	if len(br.GetFieldViolations()) != 1 || br.GetFieldViolations()[0].GetField() != "hostnames[1]" {
		t.Errorf("BadRequest = %v, want one violation of hostnames[1]", br)
	}

	_, err = orchestratorv1.NewHostServiceClient(conn).ListHosts(callCtx(t, unaryTimeout), &orchestratorv1.ListHostsRequest{PageSize: -1})
	_, details = requireStatus(t, err, codes.InvalidArgument)
	if br := detailOf[*errdetails.BadRequest](t, details); len(br.GetFieldViolations()) != 1 || br.GetFieldViolations()[0].GetField() != "page_size" {
		t.Errorf("BadRequest = %v, want one violation of page_size", br)
	}
}

// An unknown operation id is NOT_FOUND, for GetOperation and WatchOperation alike.
func TestClientNotFound(t *testing.T) {
	client := orchestratorv1.NewOperationServiceClient(dial(t, "ORCH_ADDR"))
	const unknown = "00000000-0000-4000-8000-000000000000"

	_, err := client.GetOperation(callCtx(t, unaryTimeout), &orchestratorv1.GetOperationRequest{Id: unknown})
	_, details := requireStatus(t, err, codes.NotFound)
	if info := errorInfo(t, details); info.GetReason() != "NOT_FOUND" {
		t.Errorf("ErrorInfo.reason = %q, want NOT_FOUND", info.GetReason())
	}
	if ri := detailOf[*errdetails.ResourceInfo](t, details); ri.GetResourceType() != "operation" || ri.GetResourceName() != unknown {
		t.Errorf("ResourceInfo = %v, want operation %s", ri, unknown)
	}

	watch, err := client.WatchOperation(callCtx(t, streamTimeout), &orchestratorv1.WatchOperationRequest{Id: unknown})
	if err != nil {
		t.Fatalf("WatchOperation: %v", err)
	}
	ops, err := recvAll(t, watch)
	if len(ops) != 0 {
		t.Errorf("WatchOperation of an unknown id streamed %d messages", len(ops))
	}
	_, details = requireStatus(t, err, codes.NotFound)
	if info := errorInfo(t, details); info.GetReason() != "NOT_FOUND" {
		t.Errorf("ErrorInfo.reason = %q, want NOT_FOUND", info.GetReason())
	}

	// An id that is not a UUID is invalid input, not an unknown operation.
	_, err = client.GetOperation(callCtx(t, unaryTimeout), &orchestratorv1.GetOperationRequest{Id: "nope"})
	_, details = requireStatus(t, err, codes.InvalidArgument)
	if br := detailOf[*errdetails.BadRequest](t, details); len(br.GetFieldViolations()) != 1 || br.GetFieldViolations()[0].GetField() != "id" {
		t.Errorf("BadRequest = %v, want one violation of id", br)
	}
}

// A write that fails while it executes does not fail the RPC: the stream ends OK after a
// STATE_FAILED message whose error carries ErrorInfo BACKEND_FAILED. The server at
// ORCH_FAILING_ADDR cannot reach node-2.
func TestClientFailedOperation(t *testing.T) {
	conn := dial(t, "ORCH_FAILING_ADDR")
	services := orchestratorv1.NewServiceServiceClient(conn)
	before := osdDaemons(t, services, "node-2")

	stream, err := orchestratorv1.NewOsdServiceClient(conn).CreateOsds(callCtx(t, streamTimeout), &orchestratorv1.CreateOsdsRequest{
		Spec: &orchestratorv1.DriveGroupSpec{
			HostPattern: "node-2",
			DataDevices: &orchestratorv1.DeviceSelection{Paths: []string{"/dev/sdc"}},
		},
	})
	if err != nil {
		t.Fatalf("CreateOsds: %v", err)
	}
	ops := mustRecvAll(t, stream) // status OK although the operation fails
	end := checkOperationStream(t, ops, "ceph_orchestrator.v1.OsdService.CreateOsds", orchestratorv1.Operation_STATE_FAILED)
	if end.GetResult() != nil {
		t.Errorf("FAILED with a result: %v", end.GetResult())
	}
	if end.GetError() == nil {
		t.Fatalf("FAILED without an error")
	}
	if c := end.GetError().GetCode(); c == int32(code.Code_OK) {
		t.Errorf("operation error code is OK")
	}
	if !strings.Contains(end.GetError().GetMessage(), "node-2") {
		t.Errorf("operation error %q does not name node-2", end.GetError().GetMessage())
	}
	// Operation.error is a google.rpc.Status: decode its details as for a call's status.
	details := grpcstatus.FromProto(end.GetError()).Details()
	info := errorInfo(t, details)
	if info.GetReason() != "BACKEND_FAILED" {
		t.Errorf("ErrorInfo.reason = %q, want BACKEND_FAILED", info.GetReason())
	}
	if info.GetMetadata()["hostname"] != "node-2" {
		t.Errorf("ErrorInfo.metadata = %v, want hostname node-2", info.GetMetadata())
	}
	failedTasks := 0
	for _, task := range end.GetTasks() {
		if task.GetState() == orchestratorv1.Operation_STATE_FAILED {
			failedTasks++
			if task.GetHostname() != "node-2" || task.GetError() == nil {
				t.Errorf("failed task %v: want node-2 with an error", task)
			}
		}
	}
	if failedTasks == 0 {
		t.Errorf("no failed task in %v", end.GetTasks())
	}

	// Nothing was created.
	after := osdDaemons(t, services, "node-2")
	if len(after) != len(before) {
		t.Errorf("node-2 OSD daemons went from %d to %d after a failed CreateOsds", len(before), len(after))
	}
}
