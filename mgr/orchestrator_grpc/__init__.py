# ceph-mgr loads a module by importing this package and looking for its MgrModule subclass.
from .module import GrpcOrchestrator  # noqa: F401
