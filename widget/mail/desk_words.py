"""The words of the e-mails the guesthouse's side sends: a change of dates and a phone
booking's payment link (in the guest's language), and the owner's notice that a balance is
due (in the property's). `widget.mail.phrases` merges them in; every language has the same
keys and placeholders (a test checks)."""

from __future__ import annotations

DESK_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "dates_subject": "{property}: new dates for booking {reference}",
        "dates_body": "{property} changed your booking {reference} from {old_in} – {old_out} "
        "to {new_in} – {new_out}.",
        "dates_total": "The new total is {total}.",
        "settled_refund": "{amount} is refunded to the card you paid with.",
        "settled_saved_card": "{amount} is charged to the card you booked with.",
        "settled_link": "Please pay the difference of {amount} here: {link}",
        "settled_at_property": "You pay the new total at the property.",
        "link_subject": "{property}: your stay from {date} is held for you",
        "link_body": "{property} is holding your stay from {check_in} to {check_out} "
        "until {until} UTC.",
        "link_pay": "To book it, please pay {amount} here: {link}",
        "owner_due_subject": "Balance due: booking {reference} ({name})",
        "owner_due_body": "The balance of {amount} for booking {reference} could not be "
        "charged ({reason}).",
        "owner_due_next": 'The booking stands and is marked "balance due": please ask the '
        "guest to pay it another way.",
    },
    "de": {
        "dates_subject": "{property}: neue Daten für die Buchung {reference}",
        "dates_body": "{property} hat Ihre Buchung {reference} von {old_in} – {old_out} "
        "auf {new_in} – {new_out} geändert.",
        "dates_total": "Der neue Gesamtbetrag ist {total}.",
        "settled_refund": "{amount} werden auf die Karte erstattet, mit der Sie bezahlt haben.",
        "settled_saved_card": "{amount} werden von der Karte abgebucht, mit der Sie gebucht haben.",
        "settled_link": "Bitte zahlen Sie die Differenz von {amount} hier: {link}",
        "settled_at_property": "Den neuen Gesamtbetrag zahlen Sie vor Ort.",
        "link_subject": "{property}: Ihr Aufenthalt ab {date} ist für Sie reserviert",
        "link_body": "{property} hält Ihren Aufenthalt vom {check_in} bis {check_out} "
        "bis {until} UTC für Sie frei.",
        "link_pay": "Um ihn zu buchen, zahlen Sie bitte {amount} hier: {link}",
        "owner_due_subject": "Restbetrag offen: Buchung {reference} ({name})",
        "owner_due_body": "Der Restbetrag von {amount} für die Buchung {reference} konnte "
        "nicht abgebucht werden ({reason}).",
        "owner_due_next": "Die Buchung bleibt bestehen und ist als „Restbetrag offen“ "
        "markiert: Bitten Sie den Gast, ihn auf anderem Weg zu zahlen.",
    },
    "fr": {
        "dates_subject": "{property} : nouvelles dates pour la réservation {reference}",
        "dates_body": "{property} a modifié votre réservation {reference} du {old_in} – "
        "{old_out} au {new_in} – {new_out}.",
        "dates_total": "Le nouveau total est de {total}.",
        "settled_refund": "{amount} sont remboursés sur la carte avec laquelle vous avez payé.",
        "settled_saved_card": "{amount} sont débités de la carte avec laquelle vous avez réservé.",
        "settled_link": "Veuillez payer la différence de {amount} ici : {link}",
        "settled_at_property": "Vous réglez le nouveau total sur place.",
        "link_subject": "{property} : votre séjour à partir du {date} vous est réservé",
        "link_body": "{property} vous réserve votre séjour du {check_in} au {check_out} "
        "jusqu'à {until} UTC.",
        "link_pay": "Pour le réserver, veuillez payer {amount} ici : {link}",
        "owner_due_subject": "Solde dû : réservation {reference} ({name})",
        "owner_due_body": "Le solde de {amount} de la réservation {reference} n'a pas pu "
        "être débité ({reason}).",
        "owner_due_next": "La réservation est maintenue et marquée « solde dû » : demandez "
        "au client de le payer autrement.",
    },
    "es": {
        "dates_subject": "{property}: nuevas fechas para la reserva {reference}",
        "dates_body": "{property} ha cambiado su reserva {reference} del {old_in} – "
        "{old_out} al {new_in} – {new_out}.",
        "dates_total": "El nuevo total es {total}.",
        "settled_refund": "Se reembolsan {amount} en la tarjeta con la que pagó.",
        "settled_saved_card": "Se cargan {amount} en la tarjeta con la que reservó.",
        "settled_link": "Pague la diferencia de {amount} aquí: {link}",
        "settled_at_property": "El nuevo total se paga en el alojamiento.",
        "link_subject": "{property}: su estancia desde el {date} está reservada para usted",
        "link_body": "{property} le guarda su estancia del {check_in} al {check_out} "
        "hasta las {until} UTC.",
        "link_pay": "Para reservarla, pague {amount} aquí: {link}",
        "owner_due_subject": "Saldo pendiente: reserva {reference} ({name})",
        "owner_due_body": "No se pudo cobrar el saldo de {amount} de la reserva {reference} "
        "({reason}).",
        "owner_due_next": "La reserva se mantiene y queda marcada como «saldo pendiente»: "
        "pida al huésped que lo pague de otra forma.",
    },
    "it": {
        "dates_subject": "{property}: nuove date per la prenotazione {reference}",
        "dates_body": "{property} ha cambiato la sua prenotazione {reference} da {old_in} – "
        "{old_out} a {new_in} – {new_out}.",
        "dates_total": "Il nuovo totale è {total}.",
        "settled_refund": "{amount} vengono rimborsati sulla carta con cui ha pagato.",
        "settled_saved_card": "{amount} vengono addebitati sulla carta con cui ha prenotato.",
        "settled_link": "Paghi la differenza di {amount} qui: {link}",
        "settled_at_property": "Il nuovo totale si paga in struttura.",
        "link_subject": "{property}: il suo soggiorno dal {date} è tenuto per lei",
        "link_body": "{property} tiene per lei il soggiorno dal {check_in} al {check_out} "
        "fino alle {until} UTC.",
        "link_pay": "Per prenotarlo, paghi {amount} qui: {link}",
        "owner_due_subject": "Saldo da pagare: prenotazione {reference} ({name})",
        "owner_due_body": "Non è stato possibile addebitare il saldo di {amount} della "
        "prenotazione {reference} ({reason}).",
        "owner_due_next": "La prenotazione resta valida ed è segnata «saldo da pagare»: "
        "chieda all'ospite di pagarlo in un altro modo.",
    },
}
