"""InventoryService calls: the hosts' devices, and their ident/fault lights."""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional

from ceph_orchestrator.v1 import inventory_pb2, inventory_service_pb2, operation_pb2

from .completion import Completion
from .operations import OperationCalls
from .specs import DeviceLightLike, ensure_request_id, invalid

__all__ = ["InventoryCalls"]

_LIGHTS: Dict[str, inventory_pb2.LightType] = {"ident": inventory_pb2.LIGHT_TYPE_IDENT, "fault": inventory_pb2.LIGHT_TYPE_FAULT}


class InventoryCalls(OperationCalls):
    def get_inventory(self, hosts: Optional[Iterable[str]] = None, labels: Optional[Iterable[str]] = None,
                      refresh: bool = False) -> List[inventory_pb2.InventoryHost]:
        """The devices of the hosts (all pages); ``hosts`` and ``labels`` are upstream's
        InventoryFilter."""
        req = inventory_service_pb2.GetInventoryRequest(
            hostnames=list(hosts or ()), labels=list(labels or ()), refresh=refresh)
        return self._pages("InventoryService", "GetInventory", req, inventory_service_pb2.GetInventoryResponse, "hosts")

    def blink_device_light(self, ident_fault: str, on: bool, locations: Iterable[DeviceLightLike],
                           request_id: Optional[str] = None) -> Completion[operation_pb2.DeviceLightsSet]:
        """Switch the "ident" or "fault" light of devices on or off. ``locations`` are
        upstream's DeviceLightLoc tuples ``(host, dev[, path])`` (``dev`` the device id) or
        DeviceLightLocation messages. Result: DeviceLightsSet."""
        if ident_fault not in _LIGHTS:
            raise invalid("light", "must be 'ident' or 'fault', got %r" % (ident_fault,))
        locs = []
        for loc in locations:
            if isinstance(loc, inventory_pb2.DeviceLightLocation):
                locs.append(loc)
            else:
                parts = list(loc) + ["", ""]
                locs.append(inventory_pb2.DeviceLightLocation(
                    hostname=parts[0], device_id=parts[1] or "", path=parts[2] or ""))
        req = inventory_service_pb2.BlinkDeviceLightRequest(
            light=_LIGHTS[ident_fault], on=on, locations=locs, request_id=ensure_request_id(request_id))
        return self._write("InventoryService", "BlinkDeviceLight", req, inventory_service_pb2.BlinkDeviceLightResponse,
                           "device_lights", operation_pb2.DeviceLightsSet)

    def zap_device(self, hostname: str, path: str, request_id: Optional[str] = None) -> Completion[inventory_pb2.Device]:
        """Erase a device so that it is available again (upstream ``zap_device``); refused while
        an OSD runs from it. Result: the device as it is now."""
        req = inventory_service_pb2.ZapDeviceRequest(hostname=hostname, path=path, request_id=ensure_request_id(request_id))
        return self._write("InventoryService", "ZapDevice", req, inventory_service_pb2.ZapDeviceResponse, "device",
                           inventory_pb2.Device)
