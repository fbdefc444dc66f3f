"""ceph-orchestrator-client: a thin Python client of the ceph-orchestrator gRPC service that
mirrors upstream Ceph's ``OrchestratorClientMixin``.

    from ceph_orchestrator_client import OrchestratorClient
    with OrchestratorClient("127.0.0.1:50051", transport="h2") as orch:
        c = orch.add_host("node-4")
        c.wait(timeout=60)
        print(c.result.hostname, [h.hostname for h in orch.get_hosts()])

Transports: "grpcio" for ordinary processes, "h2" (pure Python) inside ceph-mgr. Neither is
imported until a client asks for it.
"""

from .client import SERVICE_TYPES, OrchestratorClient, drive_group_from_dict, stateless_spec_from_dict
from .completion import STATE_NAMES, Completion
from .errors import (
    ERROR_DOMAIN,
    NoOrchestrator,
    OrchestratorError,
    OrchestratorValidationError,
    StatusCode,
    error_from_grpc,
    error_from_status,
)
from .transport import PemSource, ReadTimeout, ServerStream, TlsSettings, Transport

__version__ = "0.1.0"

__all__ = [
    "OrchestratorClient",
    "Completion",
    "STATE_NAMES",
    "SERVICE_TYPES",
    "drive_group_from_dict",
    "stateless_spec_from_dict",
    "ERROR_DOMAIN",
    "NoOrchestrator",
    "OrchestratorError",
    "OrchestratorValidationError",
    "StatusCode",
    "error_from_grpc",
    "error_from_status",
    "PemSource",
    "ReadTimeout",
    "ServerStream",
    "TlsSettings",
    "Transport",
    "__version__",
]
