"""Printer transports through python-escpos: raw TCP (port 9100), USB and serial. The server has
already rendered the ESC/POS bytes; a transport only delivers them and reads the printer's status."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

# DLE EOT 4: transmit the paper roll sensor status; bits 5 and 6 set mean the roll is out.
PAPER_STATUS_QUERY = b"\x10\x04\x04"
PAPER_END_BITS = 0x60

OK, PAPER_OUT, OFFLINE, UNKNOWN = "OK", "PAPER_OUT", "OFFLINE", "UNKNOWN"


class PrinterError(Exception):
    pass


def _device(transport: str, address: str, timeout: float):
    from escpos import printer as escpos_printer  # only the run command needs it

    if transport == "NETWORK":
        host, _, port = address.rpartition(":")
        if not host:
            host, port = address, "9100"
        return escpos_printer.Network(host=host, port=int(port), timeout=timeout)
    if transport == "USB":
        vendor, _, product = address.partition(":")
        return escpos_printer.Usb(int(vendor, 16), int(product, 16), timeout=int(timeout * 1000))
    if transport == "SERIAL":
        return escpos_printer.Serial(devfile=address, timeout=timeout)
    raise PrinterError(f"unknown transport {transport}")


def send(transport: str, address: str, data: bytes, *, timeout: float = 10.0) -> None:
    """Deliver the bytes or raise PrinterError (the job is then retried, never half-acknowledged)."""
    device = _device(transport, address, timeout)
    try:
        device.open()
        device._raw(data)
    except Exception as err:  # python-escpos raises its own types, OSError and usb errors
        raise PrinterError(str(err) or type(err).__name__) from err
    finally:
        try:
            device.close()
        except Exception:
            logger.debug("closing printer %s failed", address, exc_info=True)


def status(transport: str, address: str, *, timeout: float = 2.0) -> str:
    """OK, PAPER_OUT or OFFLINE; UNKNOWN when the printer does not answer the status query."""
    try:
        device = _device(transport, address, timeout)
        device.open()
    except Exception:
        return OFFLINE
    try:
        device._raw(PAPER_STATUS_QUERY)
        answer = device._read()
    except Exception:
        return UNKNOWN
    finally:
        try:
            device.close()
        except Exception:
            logger.debug("closing printer %s failed", address, exc_info=True)
    if not answer:
        return UNKNOWN
    return PAPER_OUT if answer[0] & PAPER_END_BITS == PAPER_END_BITS else OK
