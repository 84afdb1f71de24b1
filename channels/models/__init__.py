from channels.models.caps import CapReservation, SmsSpend
from channels.models.config import ChannelConfig, EmailIdentity, Provider
from channels.models.inapp import InAppMessage
from channels.models.ledger import Delivery, Dispatch, Reason, Source, Status
from channels.models.policy import DeliverySettings

__all__ = [
    "CapReservation",
    "ChannelConfig",
    "Delivery",
    "DeliverySettings",
    "Dispatch",
    "EmailIdentity",
    "InAppMessage",
    "Provider",
    "Reason",
    "SmsSpend",
    "Source",
    "Status",
]
