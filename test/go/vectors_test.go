// Shared test vectors, Go side (see test/vectors/README.md).
//
// For every vector in test/vectors/data/ (written by TypeScript, test/vectors/generate.ts):
//   - decode <name>.bin with proto and <name>.json (canonical proto3 JSON) with protojson and
//     require the same message (protocmp: Any compared unpacked, unknown fields included);
//   - require Go's own protojson output to be the same JSON document as the committed one;
//   - re-encode and require the bytes to decode back to an equal message;
//   - write Go's encoding to test/vectors/out/go/<name>.bin, which the TypeScript
//     cross-decode step (VECTORS_CROSS=1) decodes and compares to the case value.
//
// Then explicit checks on what the vectors are about: int64 above 2^53, enum names, oneofs,
// Struct, maps, optional presence, Timestamps, unicode, ErrorInfo packed in Any.
package gotest

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	orchestratorv1 "github.com/ceph-orchestrator-grpc/gen/go/ceph_orchestrator/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"
)

var (
	vectorsDataDir = filepath.Join("..", "vectors", "data")
	vectorsOutDir  = filepath.Join("..", "vectors", "out", "go")
)

// Keep in sync with test/vectors/cases.ts.
const (
	tb20          = int64(20000000000000)
	twoPow53Plus1 = int64(1<<53 + 1)
	errorDomain   = "orchestrator.ceph.io"
	unicodeText   = "ünïcödé — 中文 — 🐙 𝄞"
	clusterFsid   = "2d6f4b7e-0c1a-4a7e-9b51-6c3f0d5e8a11"
)

// Every vector the TS side defines; a missing or extra data file fails the test.
var expectedVectors = []string{
	"device_unknown_enum",
	"drive_group_spec",
	"drive_group_spec_directories",
	"get_status_response",
	"get_status_unavailable",
	"inventory_host",
	"operation_failed",
	"operation_result_upgrade",
	"operation_succeeded",
	"stateless_service_nfs",
	"stateless_service_rgw",
	"stateless_service_rgw_empty",
	"upgrade_status",
	"upgrade_status_empty",
}

// The errdetails import registers google.rpc.ErrorInfo, which protojson and protocmp need to
// resolve the Any in operation_failed.
var _ = errdetails.ErrorInfo{}

type vectorDoc struct {
	Name string          `json:"name"`
	Type string          `json:"type"`
	JSON json.RawMessage `json:"json"`
}

// loadVector returns the committed .bin bytes and the .json document of a vector.
func loadVector(t *testing.T, name string) ([]byte, vectorDoc) {
	t.Helper()
	bin, err := os.ReadFile(filepath.Join(vectorsDataDir, name+".bin"))
	if err != nil {
		t.Fatalf("%v (run `npx tsx test/vectors/generate.ts`)", err)
	}
	raw, err := os.ReadFile(filepath.Join(vectorsDataDir, name+".json"))
	if err != nil {
		t.Fatalf("%v (run `npx tsx test/vectors/generate.ts`)", err)
	}
	var doc vectorDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s.json: %v", name, err)
	}
	if doc.Name != name {
		t.Fatalf("%s.json names vector %q", name, doc.Name)
	}
	return bin, doc
}

func newMessage(t *testing.T, fullName string) proto.Message {
	t.Helper()
	mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(fullName))
	if err != nil {
		t.Fatalf("message type %s: %v", fullName, err)
	}
	return mt.New().Interface()
}

// decodeVector decodes the vector's .bin (TypeScript's encoding) into msg, checking its type.
func decodeVector[M proto.Message](t *testing.T, name string, msg M) M {
	t.Helper()
	bin, doc := loadVector(t, name)
	if got := string(msg.ProtoReflect().Descriptor().FullName()); got != doc.Type {
		t.Fatalf("vector %s has type %s, test decodes it as %s", name, doc.Type, got)
	}
	if err := proto.Unmarshal(bin, msg); err != nil {
		t.Fatalf("%s.bin: %v", name, err)
	}
	return msg
}

// jsonDocument parses JSON into generic values (numbers as float64), for comparing JSON
// documents regardless of key order, whitespace and number formatting.
func jsonDocument(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("invalid JSON %s: %v", data, err)
	}
	return v
}

func TestVectorsRoundTrip(t *testing.T) {
	entries, err := os.ReadDir(vectorsDataDir)
	if err != nil {
		t.Fatalf("%v (run `npx tsx test/vectors/generate.ts`)", err)
	}
	var files, want []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	for _, n := range expectedVectors {
		want = append(want, n+".bin", n+".json")
	}
	slices.Sort(want)
	if !slices.Equal(files, want) {
		t.Fatalf("test/vectors/data/ holds %v, want %v", files, want)
	}

	if err := os.RemoveAll(vectorsOutDir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(vectorsOutDir, 0o755); err != nil {
		t.Fatal(err)
	}

	for _, name := range expectedVectors {
		t.Run(name, func(t *testing.T) {
			bin, doc := loadVector(t, name)

			fromBin := newMessage(t, doc.Type)
			if err := proto.Unmarshal(bin, fromBin); err != nil {
				t.Fatalf("decode .bin: %v", err)
			}
			fromJSON := newMessage(t, doc.Type)
			if err := protojson.Unmarshal(doc.JSON, fromJSON); err != nil {
				t.Fatalf("decode .json: %v", err)
			}

			// The binary and the JSON vector are the same message.
			if diff := cmp.Diff(fromJSON, fromBin, protocmp.Transform()); diff != "" {
				t.Errorf(".bin and .json differ (-json +bin):\n%s", diff)
			}

			// Go writes the same proto3 JSON document as TypeScript did.
			goJSON, err := protojson.Marshal(fromBin)
			if err != nil {
				t.Fatalf("protojson.Marshal: %v", err)
			}
			if diff := cmp.Diff(jsonDocument(t, doc.JSON), jsonDocument(t, goJSON)); diff != "" {
				t.Errorf("Go's JSON differs from the committed JSON (-committed +go):\n%s", diff)
			}

			// Go's own encoding decodes back to the same message.
			reencoded, err := proto.Marshal(fromBin)
			if err != nil {
				t.Fatalf("proto.Marshal: %v", err)
			}
			back := newMessage(t, doc.Type)
			if err := proto.Unmarshal(reencoded, back); err != nil {
				t.Fatalf("decode re-encoded: %v", err)
			}
			if !proto.Equal(back, fromBin) {
				t.Errorf("re-encoded message differs:\n%s", cmp.Diff(fromBin, back, protocmp.Transform()))
			}

			// For the TypeScript cross-decode step: Go's encoding of the message built from JSON.
			out, err := proto.MarshalOptions{Deterministic: true}.Marshal(fromJSON)
			if err != nil {
				t.Fatalf("proto.Marshal: %v", err)
			}
			if err := os.WriteFile(filepath.Join(vectorsOutDir, name+".bin"), out, 0o644); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// --- Explicit checks per vector ------------------------------------------------------------

func TestVectorInventoryHost(t *testing.T) {
	host := decodeVector(t, "inventory_host", &orchestratorv1.InventoryHost{})
	if host.GetHostname() != "node-1" {
		t.Errorf("hostname = %q", host.GetHostname())
	}
	if want := []string{"osd", "_admin", "étage-2"}; !slices.Equal(host.GetLabels(), want) {
		t.Errorf("labels = %q, want %q", host.GetLabels(), want)
	}
	if s, n := host.GetLastRefresh().GetSeconds(), host.GetLastRefresh().GetNanos(); s != 1714564800 || n != 123456789 {
		t.Errorf("last_refresh = %d s %d ns, want 1714564800 s 123456789 ns", s, n)
	}
	devs := host.GetDevices()
	if len(devs) != 3 {
		t.Fatalf("%d devices, want 3", len(devs))
	}
	hdd, nvme, ssd := devs[0], devs[1], devs[2]

	// int64 above 2^53.
	for _, c := range []struct {
		dev  *orchestratorv1.Device
		want int64
	}{{hdd, tb20}, {nvme, twoPow53Plus1}, {ssd, math.MaxInt64}} {
		if c.dev.GetSizeBytes() != c.want {
			t.Errorf("%s size_bytes = %d, want %d", c.dev.GetPath(), c.dev.GetSizeBytes(), c.want)
		}
	}
	if hdd.GetOsdId() != -1 || nvme.GetOsdId() != 3 || ssd.GetOsdId() != 0 {
		t.Errorf("osd_ids = %d %d %d, want -1 3 0", hdd.GetOsdId(), nvme.GetOsdId(), ssd.GetOsdId())
	}

	// Nested enum Device.Type.
	var types []string
	for _, d := range devs {
		types = append(types, d.GetType().String())
	}
	if want := []string{"TYPE_HDD", "TYPE_NVME", "TYPE_SSD"}; !slices.Equal(types, want) {
		t.Errorf("types = %v, want %v", types, want)
	}
	if hdd.GetType() != orchestratorv1.Device_TYPE_HDD {
		t.Errorf("hdd type = %v", hdd.GetType())
	}

	if !hdd.GetAvailable() || nvme.GetAvailable() {
		t.Errorf("available = %v %v, want true false", hdd.GetAvailable(), nvme.GetAvailable())
	}
	if want := []string{"locked", "Insufficient space (<5GB)", "LVM detected"}; !slices.Equal(nvme.GetRejectedReasons(), want) {
		t.Errorf("rejected_reasons = %q", nvme.GetRejectedReasons())
	}
	lvs := nvme.GetLvs()
	if len(lvs) != 2 || lvs[0].GetOsdId() != 3 || lvs[0].GetType() != "block" || lvs[1].GetType() != "db" ||
		lvs[0].GetClusterFsid() != clusterFsid {
		t.Errorf("lvs = %v", lvs)
	}

	// google.protobuf.Struct: nested objects, lists, numbers, bools, null, strings.
	fields := hdd.GetSysApi().GetFields()
	if got := fields["size"].GetNumberValue(); got != 20000000000000 {
		t.Errorf("sys_api.size = %v", got)
	}
	if _, isNull := fields["nothing"].GetKind().(*structpb.Value_NullValue); !isNull {
		t.Errorf("sys_api.nothing = %v, want null", fields["nothing"])
	}
	var kinds []string
	for _, v := range fields["mixed"].GetListValue().GetValues() {
		kinds = append(kinds, strings.TrimPrefix(reflect.TypeOf(v.GetKind()).Elem().Name(), "Value_"))
	}
	wantKinds := []string{"StringValue", "NumberValue", "NumberValue", "BoolValue", "BoolValue", "NullValue",
		"StructValue", "ListValue", "StructValue"}
	if !slices.Equal(kinds, wantKinds) {
		t.Errorf("sys_api.mixed kinds = %v, want %v", kinds, wantKinds)
	}
	sysAPI := hdd.GetSysApi().AsMap()
	wantSubset := map[string]any{
		"rotational": "1",
		"sectors":    0.0,
		"ratio":      0.1,
		"negative":   -1.0,
		"flag":       true,
		"nothing":    nil,
		"mixed":      []any{"a", 1.0, -2.5, true, false, nil, map[string]any{"k": "v"}, []any{}, map[string]any{}},
		"partitions": map[string]any{"sdb1": map[string]any{
			"start": "2048", "sectors": "39063648256", "sectorsize": 512.0, "size": 20000000000000.0,
			"human_readable_size": "18.19 TB", "holders": []any{},
		}},
		"empty_object":       map[string]any{},
		"empty_list":         []any{},
		"clé " + unicodeText: unicodeText,
	}
	for k, want := range wantSubset {
		got, ok := sysAPI[k]
		if !ok {
			t.Errorf("sys_api has no %q", k)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("sys_api[%q] (-want +got):\n%s", k, diff)
		}
	}
	if diff := cmp.Diff(map[string]any{}, nvme.GetSysApi().AsMap()["partitions"]); diff != "" {
		t.Errorf("nvme sys_api.partitions (-want +got):\n%s", diff)
	}
}

func TestVectorDeviceUnknownEnum(t *testing.T) {
	dev := decodeVector(t, "device_unknown_enum", &orchestratorv1.Device{})
	// proto3 enums are open: an unknown number survives decoding and re-encoding.
	if dev.GetType() != 7 {
		t.Errorf("type = %d, want 7", dev.GetType())
	}
	if _, known := orchestratorv1.Device_Type_name[7]; known {
		t.Errorf("Device.Type 7 is defined now: pick another unknown number in cases.ts")
	}
	b, err := proto.Marshal(dev)
	if err != nil {
		t.Fatal(err)
	}
	var back orchestratorv1.Device
	if err := proto.Unmarshal(b, &back); err != nil || back.GetType() != 7 {
		t.Errorf("re-decoded type = %d (%v), want 7", back.GetType(), err)
	}
	if dev.GetOsdId() != -1 {
		t.Errorf("osd_id = %d, want -1", dev.GetOsdId())
	}
}

func TestVectorDriveGroupSpec(t *testing.T) {
	spec := decodeVector(t, "drive_group_spec", &orchestratorv1.DriveGroupSpec{})
	if spec.GetObjectstore().String() != "OBJECTSTORE_BLUESTORE" {
		t.Errorf("objectstore = %v", spec.GetObjectstore())
	}
	if !spec.GetEncrypted() || spec.GetOsdsPerDevice() != 2 || spec.GetDbSlots() != 4 {
		t.Errorf("encrypted/osds_per_device/db_slots = %v/%d/%d", spec.GetEncrypted(), spec.GetOsdsPerDevice(), spec.GetDbSlots())
	}

	// optional bool: set true / set false / unset are three different states.
	if r := spec.GetDataDevices().Rotational; r == nil || !*r {
		t.Errorf("data_devices.rotational = %v, want set to true", r)
	}
	if r := spec.GetDbDevices().Rotational; r == nil || *r {
		t.Errorf("db_devices.rotational = %v, want set to false", r)
	}
	if r := spec.GetWalDevices().Rotational; r != nil {
		t.Errorf("wal_devices.rotational = %v, want unset", *r)
	}
	if want := []string{"/dev/nvme1n1", "/dev/nvme2n1"}; !slices.Equal(spec.GetWalDevices().GetPaths(), want) {
		t.Errorf("wal_devices.paths = %q", spec.GetWalDevices().GetPaths())
	}
	if spec.GetJournalDevices() != nil {
		t.Errorf("journal_devices = %v, want unset", spec.GetJournalDevices())
	}

	// map<string, OsdIdList>, with an entry whose list is empty.
	claims := map[string][]int32{}
	for host, list := range spec.GetOsdIdClaims() {
		claims[host] = list.GetOsdIds()
	}
	want := map[string][]int32{"node-1": {0, 3, 17}, "node-2": nil, "node-3": {2147483647}}
	if diff := cmp.Diff(want, claims); diff != "" {
		t.Errorf("osd_id_claims (-want +got):\n%s", diff)
	}
	if _, ok := spec.GetOsdIdClaims()["node-2"]; !ok {
		t.Errorf("osd_id_claims lost the entry with an empty list")
	}

	dirs := decodeVector(t, "drive_group_spec_directories", &orchestratorv1.DriveGroupSpec{})
	if dirs.GetObjectstore() != orchestratorv1.DriveGroupSpec_OBJECTSTORE_FILESTORE {
		t.Errorf("objectstore = %v", dirs.GetObjectstore())
	}
	if want := []string{"/var/lib/ceph/osd-data/a", "/var/lib/ceph/osd-data/b"}; !slices.Equal(dirs.GetDataDirectories(), want) {
		t.Errorf("data_directories = %q", dirs.GetDataDirectories())
	}
	if dirs.GetDataDevices() != nil || !dirs.GetJournalDevices().GetAll() || dirs.GetJournalDevices().Rotational != nil {
		t.Errorf("device selections = data %v journal %v", dirs.GetDataDevices(), dirs.GetJournalDevices())
	}
}

func TestVectorOperationSucceeded(t *testing.T) {
	op := decodeVector(t, "operation_succeeded", &orchestratorv1.Operation{})
	if op.GetState().String() != "STATE_SUCCEEDED" || !op.GetPersistent() || !op.GetDone() || op.GetCancelRequested() {
		t.Errorf("state/persistent/done/cancel_requested = %v/%v/%v/%v", op.GetState(), op.GetPersistent(), op.GetDone(), op.GetCancelRequested())
	}
	if want := "Create OSDs from drive group 'fast_hdd' on 3 hosts — " + unicodeText; op.GetDescription() != want {
		t.Errorf("description = %q, want %q", op.GetDescription(), want)
	}
	if op.GetProgress() != 1 {
		t.Errorf("progress = %v", op.GetProgress())
	}
	tasks := op.GetTasks()
	if len(tasks) != 2 || tasks[0].GetState() != orchestratorv1.Operation_STATE_SUCCEEDED ||
		tasks[1].GetProgress() != 1.0/3 || tasks[0].GetError() != nil {
		t.Errorf("tasks = %v", tasks)
	}
	if s, n := op.GetEndTime().GetSeconds(), op.GetEndTime().GetNanos(); s != 1714564861 || n != 250000000 {
		t.Errorf("end_time = %d s %d ns", s, n)
	}
	if got := op.GetEndTime().AsTime().UTC().Format("2006-01-02T15:04:05.000Z"); got != "2024-05-01T12:01:01.250Z" {
		t.Errorf("end_time = %s", got)
	}

	result, ok := op.GetOutcome().(*orchestratorv1.Operation_Result)
	if !ok {
		t.Fatalf("outcome = %T, want *Operation_Result", op.GetOutcome())
	}
	osds, ok := result.Result.GetResult().(*orchestratorv1.OperationResult_Osds)
	if !ok {
		t.Fatalf("result = %T, want *OperationResult_Osds", result.Result.GetResult())
	}
	type osd struct {
		ID             int32
		Host, Data, DB string
	}
	var got []osd
	for _, o := range osds.Osds.GetOsds() {
		got = append(got, osd{o.GetOsdId(), o.GetHostname(), o.GetData(), o.GetDb()})
	}
	want := []osd{{0, "node-1", "/dev/sdb", "/dev/nvme0n1"}, {3, "node-1", "/dev/sdc", "/dev/nvme0n1"}, {17, "node-2", "/dev/sdb", ""}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("created OSDs (-want +got):\n%s", diff)
	}
}

func TestVectorOperationFailed(t *testing.T) {
	op := decodeVector(t, "operation_failed", &orchestratorv1.Operation{})
	if op.GetState() != orchestratorv1.Operation_STATE_FAILED || !op.GetDone() || !op.GetCancelRequested() || op.GetProgress() != 0.5 {
		t.Errorf("state/done/cancel_requested/progress = %v/%v/%v/%v", op.GetState(), op.GetDone(), op.GetCancelRequested(), op.GetProgress())
	}
	outcome, ok := op.GetOutcome().(*orchestratorv1.Operation_Error)
	if !ok {
		t.Fatalf("outcome = %T, want *Operation_Error", op.GetOutcome())
	}
	if op.GetResult() != nil {
		t.Errorf("result is set next to error")
	}
	st := outcome.Error
	if st.GetCode() != int32(code.Code_ABORTED) {
		t.Errorf("code = %d, want ABORTED", st.GetCode())
	}
	if !strings.HasSuffix(st.GetMessage(), "("+unicodeText+")") {
		t.Errorf("message = %q", st.GetMessage())
	}

	// google.rpc.Status.details: an ErrorInfo packed in Any.
	if len(st.GetDetails()) != 1 {
		t.Fatalf("%d details, want 1", len(st.GetDetails()))
	}
	anyDetail := st.GetDetails()[0]
	if anyDetail.GetTypeUrl() != "type.googleapis.com/google.rpc.ErrorInfo" {
		t.Errorf("type_url = %q", anyDetail.GetTypeUrl())
	}
	var info errdetails.ErrorInfo
	if err := anyDetail.UnmarshalTo(&info); err != nil {
		t.Fatalf("unpack ErrorInfo: %v", err)
	}
	if info.GetReason() != "BACKEND_FAILED" || info.GetDomain() != errorDomain {
		t.Errorf("ErrorInfo reason/domain = %q/%q", info.GetReason(), info.GetDomain())
	}
	wantMeta := map[string]string{"device": "/dev/sdc", "hostname": "node-2", "note": unicodeText}
	if diff := cmp.Diff(wantMeta, info.GetMetadata()); diff != "" {
		t.Errorf("ErrorInfo.metadata (-want +got):\n%s", diff)
	}

	// The same through grpc-go's status package, as a Go client would read it.
	gs := grpcstatus.FromProto(st)
	if gs.Code() != codes.Aborted {
		t.Errorf("grpc code = %v", gs.Code())
	}
	details := gs.Details()
	if len(details) != 1 {
		t.Fatalf("grpc status details = %v", details)
	}
	if ei, ok := details[0].(*errdetails.ErrorInfo); !ok || ei.GetReason() != "BACKEND_FAILED" {
		t.Errorf("grpc status detail = %#v, want *errdetails.ErrorInfo BACKEND_FAILED", details[0])
	}

	failed := op.GetTasks()[1]
	if failed.GetState() != orchestratorv1.Operation_STATE_FAILED || failed.GetError() == nil ||
		failed.GetError().GetCode() != int32(code.Code_ABORTED) || len(failed.GetError().GetDetails()) != 0 {
		t.Errorf("failed task = %v", failed)
	}
}

func TestVectorOperationResultUpgrade(t *testing.T) {
	res := decodeVector(t, "operation_result_upgrade", &orchestratorv1.OperationResult{})
	up, ok := res.GetResult().(*orchestratorv1.OperationResult_Upgrade)
	if !ok {
		t.Fatalf("result = %T, want *OperationResult_Upgrade", res.GetResult())
	}
	u := up.Upgrade
	if !u.GetInProgress() || u.GetPaused() || u.GetDaemonsUpgraded() != 2 || u.GetDaemonsTotal() != 12 ||
		u.GetCurrentVersion() != "18.2.4" || u.GetTargetVersion() != "19.2.1" {
		t.Errorf("upgrade = %v", u)
	}
}

func TestVectorGetStatusResponse(t *testing.T) {
	resp := decodeVector(t, "get_status_response", &orchestratorv1.GetStatusResponse{})
	if !resp.GetAvailable() || resp.GetBackend() != "sim" {
		t.Errorf("available/backend = %v/%q", resp.GetAvailable(), resp.GetBackend())
	}
	// map<string, string>, with an empty value and unicode key and value.
	want := map[string]string{
		"fsid":               clusterFsid,
		"hosts_reachable":    "3",
		"empty":              "",
		"clé " + unicodeText: unicodeText,
	}
	if diff := cmp.Diff(want, resp.GetDetails()); diff != "" {
		t.Errorf("details (-want +got):\n%s", diff)
	}

	down := decodeVector(t, "get_status_unavailable", &orchestratorv1.GetStatusResponse{})
	if down.GetAvailable() || !strings.HasPrefix(down.GetReason(), "cannot reach the cluster") || len(down.GetDetails()) != 0 {
		t.Errorf("unavailable = %v", down)
	}
}

func TestVectorStatelessServiceSpecs(t *testing.T) {
	rgw := decodeVector(t, "stateless_service_rgw", &orchestratorv1.StatelessServiceSpec{})
	if rgw.GetServiceType().String() != "SERVICE_TYPE_RGW" {
		t.Errorf("service_type = %v", rgw.GetServiceType())
	}
	r, ok := rgw.GetDetails().(*orchestratorv1.StatelessServiceSpec_Rgw)
	if !ok {
		t.Fatalf("details = %T, want *StatelessServiceSpec_Rgw", rgw.GetDetails())
	}
	if r.Rgw.GetRgwRealm() != "eu" || r.Rgw.GetRgwZone() != "west" || r.Rgw.GetRgwFrontendPort() != 8443 ||
		!r.Rgw.GetSsl() || !r.Rgw.GetRgwMultisite() || !r.Rgw.GetRgwZonemaster() || r.Rgw.GetRgwZonesecondary() ||
		r.Rgw.GetSystemSecretKey() != "s3cr3t/with+base64=chars" {
		t.Errorf("rgw = %v", r.Rgw)
	}
	p := rgw.GetPlacement()
	if p.GetLabel() != "rgw" || p.GetCount() != 2 || p.GetHostPattern() != "node-*" || len(p.GetHosts()) != 2 ||
		p.GetHosts()[0].GetName() != "a" || p.GetHosts()[1].GetNetwork() != "10.0.0.0/24" {
		t.Errorf("placement = %v", p)
	}

	nfs := decodeVector(t, "stateless_service_nfs", &orchestratorv1.StatelessServiceSpec{})
	n, ok := nfs.GetDetails().(*orchestratorv1.StatelessServiceSpec_Nfs)
	if !ok || nfs.GetServiceType() != orchestratorv1.ServiceType_SERVICE_TYPE_NFS {
		t.Fatalf("nfs details = %T, type %v", nfs.GetDetails(), nfs.GetServiceType())
	}
	if n.Nfs.GetPool() != ".nfs" || n.Nfs.GetNamespace() != "cephfs" || n.Nfs.GetPort() != 2049 {
		t.Errorf("nfs = %v", n.Nfs)
	}

	// A oneof member set to an all-default message is still the set member.
	empty := decodeVector(t, "stateless_service_rgw_empty", &orchestratorv1.StatelessServiceSpec{})
	e, ok := empty.GetDetails().(*orchestratorv1.StatelessServiceSpec_Rgw)
	if !ok || e.Rgw == nil {
		t.Fatalf("details = %T, want *StatelessServiceSpec_Rgw with an empty RgwSpec", empty.GetDetails())
	}
	if !proto.Equal(e.Rgw, &orchestratorv1.RgwSpec{}) || empty.GetPlacement() != nil {
		t.Errorf("rgw_empty = %v", empty)
	}
}

func TestVectorUpgradeStatus(t *testing.T) {
	up := decodeVector(t, "upgrade_status", &orchestratorv1.UpgradeStatus{})
	if !up.GetInProgress() || !up.GetPaused() || up.GetProgress() != "5 of 12 daemons upgraded" ||
		!slices.Equal(up.GetServicesComplete(), []string{"mgr", "mon", "crash"}) ||
		up.GetMessage() != "paused by admin — "+unicodeText {
		t.Errorf("upgrade_status = %v", up)
	}

	bin, doc := loadVector(t, "upgrade_status_empty")
	if len(bin) != 0 || strings.TrimSpace(string(doc.JSON)) != "{}" {
		t.Errorf("upgrade_status_empty = %q / %s, want no bytes and {}", bin, doc.JSON)
	}
}
