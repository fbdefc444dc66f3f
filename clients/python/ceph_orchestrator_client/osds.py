"""OsdService calls: create, preview, replace and remove OSDs, and the removal queue."""

from __future__ import annotations

from typing import Iterable, List, Optional, Union

from ceph_orchestrator.v1 import operation_pb2, osd_pb2, osd_service_pb2

from .completion import Completion
from .operations import OperationCalls
from .specs import DriveGroupLike, ensure_request_id, invalid, to_drive_group

__all__ = ["OsdCalls"]


class OsdCalls(OperationCalls):
    def create_osds(self, drive_group: DriveGroupLike,
                    request_id: Optional[str] = None) -> Completion[operation_pb2.CreatedOsds]:
        """Create OSDs from a drive group (a DriveGroupSpec or a dict, see
        :func:`~ceph_orchestrator_client.specs.drive_group_from_dict`). Result: CreatedOsds."""
        req = osd_service_pb2.CreateOsdsRequest(spec=to_drive_group(drive_group), request_id=ensure_request_id(request_id))
        return self._write("OsdService", "CreateOsds", req, osd_service_pb2.CreateOsdsResponse,
                           "osds", operation_pb2.CreatedOsds)

    def preview_osds(self, drive_group: DriveGroupLike) -> List[osd_pb2.OsdHostPlan]:
        """What create_osds would create, per host (upstream ``preview_osdspecs``)."""
        req = osd_service_pb2.PreviewOsdsRequest(spec=to_drive_group(drive_group))
        resp = self._unary("OsdService", "PreviewOsds", req, osd_service_pb2.PreviewOsdsResponse)
        return list(resp.hosts)

    def replace_osds(self, drive_group: DriveGroupLike,
                     request_id: Optional[str] = None) -> Completion[operation_pb2.CreatedOsds]:
        """Replace the OSDs named in the drive group's ``osd_id_claims``. Result: CreatedOsds."""
        req = osd_service_pb2.ReplaceOsdsRequest(spec=to_drive_group(drive_group), request_id=ensure_request_id(request_id))
        return self._write("OsdService", "ReplaceOsds", req, osd_service_pb2.ReplaceOsdsResponse,
                           "osds", operation_pb2.CreatedOsds)

    def remove_osds(self, osd_ids: Iterable[Union[int, str]], replace: bool = False, force: bool = False,
                    zap: bool = False, request_id: Optional[str] = None) -> Completion[operation_pb2.OsdRemovals]:
        """Remove OSDs safely (``replace``: destroy them, keeping their ids; ``zap``: then
        zap their devices). Result: OsdRemovals."""
        try:
            ids = [int(i) for i in osd_ids]
        except ValueError as err:
            raise invalid("osd_ids", "must be OSD ids: %s" % err) from None
        req = osd_service_pb2.RemoveOsdsRequest(osd_ids=ids, replace=replace, force=force, zap=zap,
                                                request_id=ensure_request_id(request_id))
        return self._write("OsdService", "RemoveOsds", req, osd_service_pb2.RemoveOsdsResponse,
                           "osd_removals", operation_pb2.OsdRemovals)

    def remove_osds_status(self) -> List[osd_pb2.OsdRemoval]:
        """The OSD removal queue."""
        resp = self._unary("OsdService", "GetOsdRemovalStatus", osd_service_pb2.GetOsdRemovalStatusRequest(),
                           osd_service_pb2.GetOsdRemovalStatusResponse)
        return list(resp.removals)
