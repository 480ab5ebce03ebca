"""The words of the e-mails and of the manage-booking page, in the five languages a
guest may choose."""

from __future__ import annotations

from widget.mail.desk_words import DESK_WORDS
from widget.mail.payment_words import PAYMENT_WORDS

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "confirmed_subject": "Your booking at {property} is confirmed ({reference})",
        "cancelled_subject": "Your booking at {property} is cancelled ({reference})",
        "hello": "Hello {name},",
        "confirmed_intro": "thank you for booking directly with {property}. "
        "Your stay is confirmed.",
        "cancelled_intro": "your booking at {property} has been cancelled.",
        "unpaid_intro": "your booking at {property} has been cancelled because the payment "
        "could not be taken. Nothing was charged to your card. If you still wish to stay, "
        "please book again or write to us.",
        "reference": "Booking reference",
        "room": "Room",
        "arrival": "Arrival",
        "departure": "Departure",
        "from_time": "from {time}",
        "until_time": "until {time}",
        "guests": "Guests",
        "paid": "Paid now",
        "at_property": "To pay at the property",
        "kept_cancelled_rooms": "Kept for rooms cancelled alone",
        "total": "Total",
        "refund": "Refunded to your card",
        "manage": "See or cancel your booking",
        "policy_free": "Free cancellation until {date}; after that {percent}% is refunded.",
        "rate": "Rate",
        "extras": "Extras",
        "charges": "Fees, discounts and taxes",
        "charge_included": "included",
        "policy_none": "This rate has no free cancellation; "
        "{percent}% of what you paid is refunded if you cancel.",
        "see_you": "We look forward to welcoming you.",
        "test_payment": "Demo mode: this was a test payment and no money was taken.",
        "manage_title": "Your booking {reference}",
        "status": "Status",
        "status_confirmed": "Confirmed",
        "status_cancelled": "Cancelled",
        "guest": "Guest",
        "cancelled_notice": "Your booking {reference} is cancelled.",
        "refund_coming": "{amount} will be refunded to your card.",
        "cancel_now_refunds": "Cancelling now refunds {amount}.",
        "room_cancelled_subject": "One room of your booking at {property} is cancelled "
        "({reference})",
        "room_cancelled_intro": "one room of your booking at {property} has been cancelled; "
        "the rest of your booking stands.",
        "cancel_button": "Cancel this booking",
    },
    "de": {
        "confirmed_subject": "Ihre Buchung im {property} ist bestätigt ({reference})",
        "cancelled_subject": "Ihre Buchung im {property} ist storniert ({reference})",
        "hello": "Guten Tag {name},",
        "confirmed_intro": "vielen Dank für Ihre direkte Buchung im {property}. "
        "Ihr Aufenthalt ist bestätigt.",
        "cancelled_intro": "Ihre Buchung im {property} wurde storniert.",
        "unpaid_intro": "Ihre Buchung im {property} wurde storniert, weil die Zahlung nicht "
        "eingezogen werden konnte. Ihre Karte wurde nicht belastet. Wenn Sie weiterhin bei "
        "uns übernachten möchten, buchen Sie bitte erneut oder schreiben Sie uns.",
        "reference": "Buchungsnummer",
        "room": "Zimmer",
        "arrival": "Anreise",
        "departure": "Abreise",
        "from_time": "ab {time}",
        "until_time": "bis {time}",
        "guests": "Gäste",
        "paid": "Jetzt bezahlt",
        "at_property": "Vor Ort zu zahlen",
        "kept_cancelled_rooms": "Einbehalten für einzeln stornierte Zimmer",
        "total": "Gesamt",
        "refund": "Auf Ihre Karte erstattet",
        "manage": "Buchung ansehen oder stornieren",
        "policy_free": "Kostenlose Stornierung bis {date}; danach werden {percent} % erstattet.",
        "rate": "Tarif",
        "extras": "Extras",
        "charges": "Gebühren, Rabatte und Steuern",
        "charge_included": "inklusive",
        "policy_none": "Dieser Tarif ist nicht kostenlos stornierbar; "
        "bei Stornierung werden {percent} % des Gezahlten erstattet.",
        "see_you": "Wir freuen uns auf Ihren Besuch.",
        "test_payment": "Demo-Modus: Dies war eine Testzahlung, es wurde kein Geld abgebucht.",
        "manage_title": "Ihre Buchung {reference}",
        "status": "Status",
        "status_confirmed": "Bestätigt",
        "status_cancelled": "Storniert",
        "guest": "Gast",
        "cancelled_notice": "Ihre Buchung {reference} ist storniert.",
        "refund_coming": "{amount} werden Ihrer Karte gutgeschrieben.",
        "cancel_now_refunds": "Wenn Sie jetzt stornieren, werden {amount} erstattet.",
        "room_cancelled_subject": "Ein Zimmer Ihrer Buchung im {property} ist storniert "
        "({reference})",
        "room_cancelled_intro": "ein Zimmer Ihrer Buchung im {property} wurde storniert; "
        "der Rest Ihrer Buchung bleibt bestehen.",
        "cancel_button": "Diese Buchung stornieren",
    },
    "fr": {
        "confirmed_subject": "Votre réservation à {property} est confirmée ({reference})",
        "cancelled_subject": "Votre réservation à {property} est annulée ({reference})",
        "hello": "Bonjour {name},",
        "confirmed_intro": "merci d'avoir réservé directement auprès de {property}. "
        "Votre séjour est confirmé.",
        "cancelled_intro": "votre réservation à {property} a été annulée.",
        "unpaid_intro": "votre réservation à {property} a été annulée car le paiement n'a "
        "pas pu être encaissé. Rien n'a été débité de votre carte. Si vous souhaitez toujours "
        "séjourner chez nous, réservez à nouveau ou écrivez-nous.",
        "reference": "Référence de réservation",
        "room": "Chambre",
        "arrival": "Arrivée",
        "departure": "Départ",
        "from_time": "à partir de {time}",
        "until_time": "jusqu'à {time}",
        "guests": "Voyageurs",
        "paid": "Payé maintenant",
        "at_property": "À régler sur place",
        "kept_cancelled_rooms": "Retenu pour les chambres annulées seules",
        "total": "Total",
        "refund": "Remboursé sur votre carte",
        "manage": "Voir ou annuler votre réservation",
        "policy_free": "Annulation gratuite jusqu'au {date} ; "
        "ensuite, {percent} % sont remboursés.",
        "rate": "Tarif",
        "extras": "Suppléments",
        "charges": "Frais, remises et taxes",
        "charge_included": "inclus",
        "policy_none": "Ce tarif n'est pas annulable gratuitement ; "
        "en cas d'annulation, {percent} % du montant payé est remboursé.",
        "see_you": "Nous avons hâte de vous accueillir.",
        "test_payment": "Mode démo : ceci était un paiement de test, aucun argent n'a été débité.",
        "manage_title": "Votre réservation {reference}",
        "status": "Statut",
        "status_confirmed": "Confirmée",
        "status_cancelled": "Annulée",
        "guest": "Client",
        "cancelled_notice": "Votre réservation {reference} est annulée.",
        "refund_coming": "{amount} sera remboursé sur votre carte.",
        "cancel_now_refunds": "Une annulation maintenant rembourse {amount}.",
        "room_cancelled_subject": "Une chambre de votre réservation à {property} est "
        "annulée ({reference})",
        "room_cancelled_intro": "une chambre de votre réservation à {property} a été annulée ; "
        "le reste de votre réservation est maintenu.",
        "cancel_button": "Annuler cette réservation",
    },
    "es": {
        "confirmed_subject": "Su reserva en {property} está confirmada ({reference})",
        "cancelled_subject": "Su reserva en {property} está cancelada ({reference})",
        "hello": "Hola, {name}:",
        "confirmed_intro": "gracias por reservar directamente con {property}. "
        "Su estancia está confirmada.",
        "cancelled_intro": "su reserva en {property} ha sido cancelada.",
        "unpaid_intro": "su reserva en {property} ha sido cancelada porque no se pudo cobrar "
        "el pago. No se ha cargado nada en su tarjeta. Si aún desea alojarse con nosotros, "
        "reserve de nuevo o escríbanos.",
        "reference": "Referencia de la reserva",
        "room": "Habitación",
        "arrival": "Llegada",
        "departure": "Salida",
        "from_time": "desde las {time}",
        "until_time": "hasta las {time}",
        "guests": "Huéspedes",
        "paid": "Pagado ahora",
        "at_property": "A pagar en el alojamiento",
        "kept_cancelled_rooms": "Retenido por las habitaciones canceladas aparte",
        "total": "Total",
        "refund": "Reembolsado en su tarjeta",
        "manage": "Ver o cancelar su reserva",
        "policy_free": "Cancelación gratuita hasta el {date}; después se reembolsa el {percent} %.",
        "rate": "Tarifa",
        "extras": "Extras",
        "charges": "Cargos, descuentos e impuestos",
        "charge_included": "incluido",
        "policy_none": "Esta tarifa no tiene cancelación gratuita; "
        "si cancela, se reembolsa el {percent} % de lo pagado.",
        "see_you": "Le esperamos con mucho gusto.",
        "test_payment": "Modo demo: esto fue un pago de prueba y no se cobró dinero.",
        "manage_title": "Su reserva {reference}",
        "status": "Estado",
        "status_confirmed": "Confirmada",
        "status_cancelled": "Cancelada",
        "guest": "Huésped",
        "cancelled_notice": "Su reserva {reference} está cancelada.",
        "refund_coming": "Se reembolsarán {amount} en su tarjeta.",
        "cancel_now_refunds": "Si cancela ahora, se reembolsan {amount}.",
        "room_cancelled_subject": "Una habitación de su reserva en {property} está "
        "cancelada ({reference})",
        "room_cancelled_intro": "se ha cancelado una habitación de su reserva en {property}; "
        "el resto de su reserva se mantiene.",
        "cancel_button": "Cancelar esta reserva",
    },
    "it": {
        "confirmed_subject": "La sua prenotazione presso {property} è confermata ({reference})",
        "cancelled_subject": "La sua prenotazione presso {property} è cancellata ({reference})",
        "hello": "Gentile {name},",
        "confirmed_intro": "grazie per aver prenotato direttamente con {property}. "
        "Il suo soggiorno è confermato.",
        "cancelled_intro": "la sua prenotazione presso {property} è stata cancellata.",
        "unpaid_intro": "la sua prenotazione presso {property} è stata cancellata perché non "
        "è stato possibile incassare il pagamento. Sulla sua carta non è stato addebitato "
        "nulla. Se desidera ancora soggiornare da noi, prenoti di nuovo o ci scriva.",
        "reference": "Codice di prenotazione",
        "room": "Camera",
        "arrival": "Arrivo",
        "departure": "Partenza",
        "from_time": "dalle {time}",
        "until_time": "entro le {time}",
        "guests": "Ospiti",
        "paid": "Pagato ora",
        "at_property": "Da pagare in struttura",
        "kept_cancelled_rooms": "Trattenuto per le camere annullate singolarmente",
        "total": "Totale",
        "refund": "Rimborsato sulla sua carta",
        "manage": "Vedere o cancellare la prenotazione",
        "policy_free": "Cancellazione gratuita fino al {date}; "
        "dopo viene rimborsato il {percent}%.",
        "rate": "Tariffa",
        "extras": "Extra",
        "charges": "Costi, sconti e tasse",
        "charge_included": "incluso",
        "policy_none": "Questa tariffa non prevede la cancellazione gratuita; "
        "in caso di cancellazione è rimborsato il {percent}% di quanto pagato.",
        "see_you": "Saremo lieti di accoglierla.",
        "test_payment": "Modalità demo: questo era un pagamento di prova, nessun addebito.",
        "manage_title": "La sua prenotazione {reference}",
        "status": "Stato",
        "status_confirmed": "Confermata",
        "status_cancelled": "Cancellata",
        "guest": "Ospite",
        "cancelled_notice": "La sua prenotazione {reference} è cancellata.",
        "refund_coming": "{amount} verranno rimborsati sulla sua carta.",
        "cancel_now_refunds": "Cancellando ora vengono rimborsati {amount}.",
        "room_cancelled_subject": "Una camera della sua prenotazione presso {property} è "
        "cancellata ({reference})",
        "room_cancelled_intro": "una camera della sua prenotazione presso {property} è stata "
        "cancellata; il resto della prenotazione resta valido.",
        "cancel_button": "Cancella questa prenotazione",
    },
}


for _more in (PAYMENT_WORDS, DESK_WORDS):
    for _language, _words in _more.items():
        PHRASES[_language].update(_words)


def phrases(language: str) -> dict[str, str]:
    """The phrases of ``language``, English for any other."""
    return PHRASES.get(language, PHRASES["en"])
