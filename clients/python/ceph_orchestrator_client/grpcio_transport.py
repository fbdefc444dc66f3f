"""The grpcio transport, for ordinary processes. Never use it inside ceph-mgr: grpcio calls
hang in a module's sub-interpreter (use :mod:`ceph_orchestrator_client.h2_transport`)."""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable, List, Optional, Tuple, Type, TypeVar, Union, cast

import grpc
from google.protobuf import message as _message

from .errors import StatusCode, error_from_grpc
from .transport import Metadata, ReadTimeout, ServerStream, TlsSettings, Transport

__all__ = ["GrpcioTransport"]

M = TypeVar("M", bound=_message.Message)

_DETAILS_KEY = "grpc-status-details-bin"


def _serialize(msg: _message.Message) -> bytes:
    return msg.SerializeToString()


def _error(err: grpc.RpcError) -> Exception:
    """The mapped exception for a grpcio error (a grpc.Call as well as an RpcError)."""
    call: Any = err
    code_obj = call.code()
    code = int(code_obj.value[0]) if code_obj is not None else int(StatusCode.UNKNOWN)
    details_bin: Optional[bytes] = None
    for key, value in call.trailing_metadata() or ():
        if key == _DETAILS_KEY and isinstance(value, bytes):
            details_bin = value
    return error_from_grpc(code, str(call.details() or ""), details_bin)


_Item = Tuple[str, Union[_message.Message, Exception, None]]


class _GrpcioStream(ServerStream[M]):
    """A grpcio response iterator read by a helper thread into a queue, so ``read`` can
    time out without ending the call (grpcio's iterator has no per-message timeout)."""

    def __init__(self, call: Any) -> None:
        self._call = call
        self._queue: "queue.Queue[_Item]" = queue.Queue()
        self._final: Optional[_Item] = None
        self._cancelled = False
        self._thread = threading.Thread(target=self._pump, name="grpcio-stream", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        try:
            for msg in self._call:
                self._queue.put(("msg", msg))
            self._queue.put(("end", None))
        except grpc.RpcError as err:
            self._queue.put(("err", _error(err)))
        except Exception as err:  # a deserialization failure, say
            self._queue.put(("err", err))

    def read(self, timeout: Optional[float] = None) -> Optional[M]:
        item = self._final
        if item is None:
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                raise ReadTimeout("no message within %.3fs" % (timeout or 0)) from None
            if item[0] == "msg":
                msg: M = cast(M, item[1])
                return msg
            self._final = item
        if isinstance(item[1], Exception):
            raise item[1]
        return None

    def cancel(self) -> None:
        if not self._cancelled:
            self._cancelled = True
            self._call.cancel()

    @property
    def done(self) -> bool:
        return self._final is not None or self._cancelled


class GrpcioTransport(Transport):
    """gRPC over grpcio: one channel to ``target``, shared by all calls; plaintext, or TLS
    (with a client certificate for mutual TLS) when ``tls`` is given."""

    def __init__(self, target: str, options: Optional[List[Tuple[str, Any]]] = None,
                 tls: Optional[TlsSettings] = None) -> None:
        self.target = target
        opts = [
            ("grpc.max_receive_message_length", 16 * 1024 * 1024),
            ("grpc.max_send_message_length", 16 * 1024 * 1024),
        ] + list(options or [])
        if tls is None:
            self._channel: Any = grpc.insecure_channel(target, options=opts)
        else:
            if tls.server_name:
                opts.append(("grpc.ssl_target_name_override", tls.server_name))
            creds = grpc.ssl_channel_credentials(root_certificates=tls.ca, private_key=tls.key, certificate_chain=tls.cert)
            self._channel = grpc.secure_channel(target, creds, options=opts)
        self._closed = False

    def unary(self, method: str, request: _message.Message, response_cls: Type[M], timeout: Optional[float],
              metadata: Metadata = ()) -> M:
        deserialize: Callable[[bytes], M] = response_cls.FromString
        stub = self._channel.unary_unary(method, request_serializer=_serialize, response_deserializer=deserialize)
        try:
            response: Optional[M] = stub(request, timeout=timeout, metadata=list(metadata) or None)
            if response is None:  # grpcio 1.51 returns None when the stream ended inside the message
                raise error_from_grpc(StatusCode.INTERNAL, "no complete response message for a unary call")
            return response
        except grpc.RpcError as err:
            mapped = _error(err)
        raise mapped  # outside the except block: no grpcio context, and its __cause__ is kept

    def server_stream(self, method: str, request: _message.Message, response_cls: Type[M], timeout: Optional[float],
                      metadata: Metadata = ()) -> ServerStream[M]:
        deserialize: Callable[[bytes], M] = response_cls.FromString
        stub = self._channel.unary_stream(method, request_serializer=_serialize, response_deserializer=deserialize)
        call = stub(request, timeout=timeout, metadata=list(metadata) or None)
        return _GrpcioStream(call)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._channel.close()
