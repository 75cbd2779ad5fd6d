"""Byte links to devices, opened from a config `url`:

- `tcp://HOST:PORT`        a network printer or LED controller (raw TCP, e.g. port 9100)
- `file:PATH`              append every job to a file (a printer spool, a test, a parallel port node)
- `usb://VID:PID`          a USB printer through python-escpos (pyusb); not testable without hardware
- anything else            a pyserial URL: `/dev/ttyUSB0`, `/dev/pts/5`, `socket://HOST:PORT`, `loop://`
"""
from __future__ import annotations

import socket
from pathlib import Path

DEFAULT_BAUDRATE = 9600


class LinkError(OSError):
    """The device cannot be reached or stopped answering."""


class Link:
    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def read(self, size: int, timeout: float) -> bytes:
        """Up to `size` bytes, or b"" when nothing arrives within `timeout` (links that never answer)."""
        return b""

    def close(self) -> None:
        pass


class TcpLink(Link):
    def __init__(self, host: str, port: int, timeout: float):
        try:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as exc:
            raise LinkError(f"cannot connect to {host}:{port}: {exc.strerror or exc}") from exc

    def write(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError as exc:
            raise LinkError(f"send failed: {exc.strerror or exc}") from exc

    def read(self, size: int, timeout: float) -> bytes:
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(size)
        except socket.timeout:
            return b""
        except OSError as exc:
            raise LinkError(f"receive failed: {exc.strerror or exc}") from exc
        if not data:
            raise LinkError("the device closed the connection")
        return data

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


class FileLink(Link):
    def __init__(self, path: str):
        self.path = Path(path)

    def write(self, data: bytes) -> None:
        try:
            with open(self.path, "ab") as out:
                out.write(data)
        except OSError as exc:
            raise LinkError(f"cannot write {self.path}: {exc.strerror or exc}") from exc


class SerialLink(Link):
    def __init__(self, url: str, baudrate: int, timeout: float):
        import serial
        try:
            self.port = serial.serial_for_url(url, baudrate=baudrate, timeout=timeout, write_timeout=timeout)
        except (serial.SerialException, ValueError, OSError) as exc:
            raise LinkError(f"cannot open {url}: {exc}") from exc

    def write(self, data: bytes) -> None:
        import serial
        try:
            self.port.write(data)
            self.port.flush()
        except (serial.SerialException, OSError) as exc:
            raise LinkError(f"write failed: {exc}") from exc

    def read(self, size: int, timeout: float) -> bytes:
        import serial
        try:
            self.port.timeout = timeout
            return self.port.read(size)
        except (serial.SerialException, OSError) as exc:
            raise LinkError(f"read failed: {exc}") from exc

    def close(self) -> None:
        try:
            self.port.close()
        except Exception:
            pass


class UsbLink(Link):
    def __init__(self, vid_pid: str):
        from escpos.printer import Usb
        try:
            vid, pid = (int(x, 16) for x in vid_pid.split(":"))
            self.printer = Usb(vid, pid)
            self.printer.open()
        except Exception as exc:  # pyusb raises several unrelated types
            raise LinkError(f"cannot open USB printer {vid_pid}: {exc}") from exc

    def write(self, data: bytes) -> None:
        try:
            self.printer._raw(data)
        except Exception as exc:
            raise LinkError(f"USB write failed: {exc}") from exc

    def close(self) -> None:
        try:
            self.printer.close()
        except Exception:
            pass


def open_link(url: str, timeout: float = 3.0, baudrate: int = DEFAULT_BAUDRATE) -> Link:
    if url.startswith("tcp://"):
        host, _, port = url[len("tcp://"):].rpartition(":")
        return TcpLink(host.strip("[]"), int(port), timeout)
    if url.startswith("file:"):
        return FileLink(url[len("file:"):])
    if url.startswith("usb://"):
        return UsbLink(url[len("usb://"):])
    return SerialLink(url, baudrate, timeout)
