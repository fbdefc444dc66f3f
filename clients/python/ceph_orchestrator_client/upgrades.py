"""UpgradeService calls: the versions to upgrade to, and an upgrade's start, status, pause,
resume and stop."""

from __future__ import annotations

from typing import Optional

from ceph_orchestrator.v1 import upgrade_pb2, upgrade_service_pb2

from .completion import Completion
from .operations import OperationCalls
from .specs import ensure_request_id

__all__ = ["UpgradeCalls"]


class UpgradeCalls(OperationCalls):
    def upgrade_available(self) -> upgrade_service_pb2.GetAvailableUpgradesResponse:
        """``current_version`` and the newer ``versions``, oldest first."""
        return self._unary("UpgradeService", "GetAvailableUpgrades", upgrade_service_pb2.GetAvailableUpgradesRequest(),
                           upgrade_service_pb2.GetAvailableUpgradesResponse)

    def upgrade_start(self, version: str,
                      request_id: Optional[str] = None) -> Completion[upgrade_pb2.UpgradeStatus]:
        """Start upgrading to ``version``. Result: the UpgradeStatus at the end."""
        req = upgrade_service_pb2.StartUpgradeRequest(target_version=version, request_id=ensure_request_id(request_id))
        return self._write("UpgradeService", "StartUpgrade", req, upgrade_service_pb2.StartUpgradeResponse,
                           "upgrade", upgrade_pb2.UpgradeStatus)

    def upgrade_status(self) -> upgrade_pb2.UpgradeStatus:
        resp = self._unary("UpgradeService", "GetUpgradeStatus", upgrade_service_pb2.GetUpgradeStatusRequest(),
                           upgrade_service_pb2.GetUpgradeStatusResponse)
        return resp.status

    def upgrade_pause(self, request_id: Optional[str] = None) -> Completion[upgrade_pb2.UpgradeStatus]:
        req = upgrade_service_pb2.PauseUpgradeRequest(request_id=ensure_request_id(request_id))
        return self._write("UpgradeService", "PauseUpgrade", req, upgrade_service_pb2.PauseUpgradeResponse,
                           "upgrade", upgrade_pb2.UpgradeStatus)

    def upgrade_resume(self, request_id: Optional[str] = None) -> Completion[upgrade_pb2.UpgradeStatus]:
        req = upgrade_service_pb2.ResumeUpgradeRequest(request_id=ensure_request_id(request_id))
        return self._write("UpgradeService", "ResumeUpgrade", req, upgrade_service_pb2.ResumeUpgradeResponse,
                           "upgrade", upgrade_pb2.UpgradeStatus)

    def upgrade_stop(self, request_id: Optional[str] = None) -> Completion[upgrade_pb2.UpgradeStatus]:
        req = upgrade_service_pb2.StopUpgradeRequest(request_id=ensure_request_id(request_id))
        return self._write("UpgradeService", "StopUpgrade", req, upgrade_service_pb2.StopUpgradeResponse,
                           "upgrade", upgrade_pb2.UpgradeStatus)
