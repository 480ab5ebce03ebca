"""The words of payment terms, in the five languages a guest may choose: the balance
e-mails (reminder, charged, failed, the bank's check), the payment schedule the e-mails and
the manage page show, and the guest's payment page. `widget.mail.phrases` merges them in."""

from __future__ import annotations

PAYMENT_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "schedule": "Payment schedule",
        "deposit_paid": "{amount} paid at booking",
        "balance_on": "{amount} charged on {date}",
        "balance_paid": "{amount} balance paid",
        "balance_waiting": "{amount} balance due: please pay it through the link we sent you",
        "guarantee": "Your card is kept as a guarantee; nothing has been charged.",
        "update_card": "Use another card",
        "action_subject": "{property}: please confirm the balance of booking {reference}",
        "action_body": "Your bank asks you to confirm the payment of the balance of {amount} "
        "for your stay at {property} (booking {reference}).",
        "action_link": "Please confirm it here: {link}",
        "failed_subject": "{property}: the balance of booking {reference} could not be charged",
        "failed_body": "We could not charge the balance of {amount} for your stay at "
        "{property} (booking {reference}) to the card you booked with. Your booking stands.",
        "failed_link": "Please pay the balance with another card here: {link}",
        "reminder_subject": "{property}: the balance of booking {reference} is charged on {date}",
        "reminder_body": "On {date} the balance of {amount} is charged to the card you booked "
        "with (booking {reference}).",
        "reminder_link": "To use another card, follow this link: {link}",
        "charged_subject": "{property}: the balance of booking {reference} is paid",
        "charged_body": "The balance of {amount} for your stay at {property} (booking "
        "{reference}) has been charged to your card. Thank you.",
        "link_until": "The link works until {date}.",
        "pay_title": "Your payment for booking {reference}",
        "pay_authenticate": "Your bank asks you to confirm the balance of {amount} for "
        "booking {reference}.",
        "pay_balance": "The balance of {amount} for booking {reference} could not be charged "
        "to your card. Please pay it with another card.",
        "pay_card": "Enter the card to keep for booking {reference}.",
        "confirm_button": "Confirm the payment",
        "pay_button": "Pay {amount}",
        "save_card_button": "Save this card",
        "pay_done": "Thank you: the balance of {amount} is paid.",
        "card_done": "Thank you: your new card is saved.",
        "pay_declined": "The card was declined. Please try another card.",
        "not_waiting": "This payment is not waiting for you any more.",
        "link_expired": "This link has expired. Please write to {property} for a new one.",
        "link_unknown": "This link is not valid.",
        "test_card": "Test card (demo)",
        "needs_script": "This page needs JavaScript to show the secure card form.",
        "due_now": "Due now",
        "held_until": "The room is held for you until {time} UTC.",
        "hold_booked": "Thank you: your stay is booked. "
        "Your booking reference is {reference}; the confirmation is on its way by e-mail.",
    },
    "de": {
        "schedule": "Zahlungsplan",
        "deposit_paid": "{amount} bei der Buchung bezahlt",
        "balance_on": "{amount} werden am {date} abgebucht",
        "balance_paid": "Restbetrag von {amount} bezahlt",
        "balance_waiting": "Restbetrag von {amount} offen: Bitte zahlen Sie ihn über den "
        "Link, den wir Ihnen geschickt haben",
        "guarantee": "Ihre Karte wird als Garantie hinterlegt; es wurde nichts abgebucht.",
        "update_card": "Eine andere Karte verwenden",
        "action_subject": "{property}: Bitte bestätigen Sie den Restbetrag der Buchung {reference}",
        "action_body": "Ihre Bank bittet Sie, die Zahlung des Restbetrags von {amount} für "
        "Ihren Aufenthalt im {property} (Buchung {reference}) zu bestätigen.",
        "action_link": "Bitte bestätigen Sie sie hier: {link}",
        "failed_subject": "{property}: Der Restbetrag der Buchung {reference} konnte nicht "
        "abgebucht werden",
        "failed_body": "Wir konnten den Restbetrag von {amount} für Ihren Aufenthalt im "
        "{property} (Buchung {reference}) nicht von der Karte abbuchen, mit der Sie gebucht "
        "haben. Ihre Buchung bleibt bestehen.",
        "failed_link": "Bitte zahlen Sie den Restbetrag hier mit einer anderen Karte: {link}",
        "reminder_subject": "{property}: Der Restbetrag der Buchung {reference} wird am "
        "{date} abgebucht",
        "reminder_body": "Am {date} wird der Restbetrag von {amount} von der Karte abgebucht, "
        "mit der Sie gebucht haben (Buchung {reference}).",
        "reminder_link": "Um eine andere Karte zu verwenden, folgen Sie diesem Link: {link}",
        "charged_subject": "{property}: Der Restbetrag der Buchung {reference} ist bezahlt",
        "charged_body": "Der Restbetrag von {amount} für Ihren Aufenthalt im {property} "
        "(Buchung {reference}) wurde von Ihrer Karte abgebucht. Vielen Dank.",
        "link_until": "Der Link gilt bis {date}.",
        "pay_title": "Ihre Zahlung für die Buchung {reference}",
        "pay_authenticate": "Ihre Bank bittet Sie, den Restbetrag von {amount} für die "
        "Buchung {reference} zu bestätigen.",
        "pay_balance": "Der Restbetrag von {amount} für die Buchung {reference} konnte nicht "
        "von Ihrer Karte abgebucht werden. Bitte zahlen Sie ihn mit einer anderen Karte.",
        "pay_card": "Geben Sie die Karte ein, die für die Buchung {reference} hinterlegt "
        "werden soll.",
        "confirm_button": "Zahlung bestätigen",
        "pay_button": "{amount} bezahlen",
        "save_card_button": "Diese Karte speichern",
        "pay_done": "Vielen Dank: Der Restbetrag von {amount} ist bezahlt.",
        "card_done": "Vielen Dank: Ihre neue Karte ist gespeichert.",
        "pay_declined": "Die Karte wurde abgelehnt. Bitte versuchen Sie eine andere Karte.",
        "not_waiting": "Diese Zahlung wartet nicht mehr auf Sie.",
        "link_expired": "Dieser Link ist abgelaufen. Bitte schreiben Sie {property} für "
        "einen neuen.",
        "link_unknown": "Dieser Link ist nicht gültig.",
        "test_card": "Testkarte (Demo)",
        "needs_script": "Diese Seite braucht JavaScript, um das sichere Kartenformular anzuzeigen.",
        "due_now": "Jetzt fällig",
        "held_until": "Das Zimmer ist für Sie reserviert bis {time} UTC.",
        "hold_booked": "Vielen Dank: Ihr Aufenthalt ist gebucht. "
        "Ihre Buchungsnummer ist {reference}; die Bestätigung ist per E-Mail unterwegs.",
    },
    "fr": {
        "schedule": "Échéancier de paiement",
        "deposit_paid": "{amount} payé à la réservation",
        "balance_on": "{amount} débité le {date}",
        "balance_paid": "Solde de {amount} payé",
        "balance_waiting": "Solde de {amount} à régler : payez-le par le lien que nous vous "
        "avons envoyé",
        "guarantee": "Votre carte est conservée en garantie ; rien n'a été débité.",
        "update_card": "Utiliser une autre carte",
        "action_subject": "{property} : veuillez confirmer le solde de la réservation {reference}",
        "action_body": "Votre banque vous demande de confirmer le paiement du solde de "
        "{amount} pour votre séjour à {property} (réservation {reference}).",
        "action_link": "Confirmez-le ici : {link}",
        "failed_subject": "{property} : le solde de la réservation {reference} n'a pas pu "
        "être débité",
        "failed_body": "Nous n'avons pas pu débiter le solde de {amount} pour votre séjour à "
        "{property} (réservation {reference}) sur la carte utilisée lors de la réservation. "
        "Votre réservation est maintenue.",
        "failed_link": "Veuillez régler le solde avec une autre carte ici : {link}",
        "reminder_subject": "{property} : le solde de la réservation {reference} sera débité "
        "le {date}",
        "reminder_body": "Le {date}, le solde de {amount} sera débité sur la carte utilisée "
        "lors de la réservation (réservation {reference}).",
        "reminder_link": "Pour utiliser une autre carte, suivez ce lien : {link}",
        "charged_subject": "{property} : le solde de la réservation {reference} est payé",
        "charged_body": "Le solde de {amount} pour votre séjour à {property} (réservation "
        "{reference}) a été débité sur votre carte. Merci.",
        "link_until": "Le lien est valable jusqu'au {date}.",
        "pay_title": "Votre paiement pour la réservation {reference}",
        "pay_authenticate": "Votre banque vous demande de confirmer le solde de {amount} "
        "pour la réservation {reference}.",
        "pay_balance": "Le solde de {amount} pour la réservation {reference} n'a pas pu être "
        "débité sur votre carte. Veuillez le régler avec une autre carte.",
        "pay_card": "Saisissez la carte à conserver pour la réservation {reference}.",
        "confirm_button": "Confirmer le paiement",
        "pay_button": "Payer {amount}",
        "save_card_button": "Enregistrer cette carte",
        "pay_done": "Merci : le solde de {amount} est payé.",
        "card_done": "Merci : votre nouvelle carte est enregistrée.",
        "pay_declined": "La carte a été refusée. Veuillez essayer une autre carte.",
        "not_waiting": "Ce paiement ne vous attend plus.",
        "link_expired": "Ce lien a expiré. Écrivez à {property} pour en recevoir un nouveau.",
        "link_unknown": "Ce lien n'est pas valable.",
        "test_card": "Carte de test (démo)",
        "needs_script": "Cette page a besoin de JavaScript pour afficher le formulaire de "
        "carte sécurisé.",
        "due_now": "À payer maintenant",
        "held_until": "La chambre vous est réservée jusqu'à {time} UTC.",
        "hold_booked": "Merci : votre séjour est réservé. "
        "Votre référence de réservation est {reference} ; la confirmation vous parvient "
        "par e-mail.",
    },
    "es": {
        "schedule": "Calendario de pagos",
        "deposit_paid": "{amount} pagado al reservar",
        "balance_on": "{amount} se cobrará el {date}",
        "balance_paid": "Saldo de {amount} pagado",
        "balance_waiting": "Saldo de {amount} pendiente: páguelo con el enlace que le hemos "
        "enviado",
        "guarantee": "Su tarjeta queda como garantía; no se ha cobrado nada.",
        "update_card": "Usar otra tarjeta",
        "action_subject": "{property}: confirme el saldo de la reserva {reference}",
        "action_body": "Su banco le pide que confirme el pago del saldo de {amount} de su "
        "estancia en {property} (reserva {reference}).",
        "action_link": "Confírmelo aquí: {link}",
        "failed_subject": "{property}: no se pudo cobrar el saldo de la reserva {reference}",
        "failed_body": "No pudimos cobrar el saldo de {amount} de su estancia en {property} "
        "(reserva {reference}) en la tarjeta con la que reservó. Su reserva se mantiene.",
        "failed_link": "Pague el saldo con otra tarjeta aquí: {link}",
        "reminder_subject": "{property}: el saldo de la reserva {reference} se cobra el {date}",
        "reminder_body": "El {date} se cobrará el saldo de {amount} en la tarjeta con la que "
        "reservó (reserva {reference}).",
        "reminder_link": "Para usar otra tarjeta, siga este enlace: {link}",
        "charged_subject": "{property}: el saldo de la reserva {reference} está pagado",
        "charged_body": "Se ha cobrado en su tarjeta el saldo de {amount} de su estancia en "
        "{property} (reserva {reference}). Gracias.",
        "link_until": "El enlace es válido hasta el {date}.",
        "pay_title": "Su pago de la reserva {reference}",
        "pay_authenticate": "Su banco le pide que confirme el saldo de {amount} de la reserva "
        "{reference}.",
        "pay_balance": "No se pudo cobrar en su tarjeta el saldo de {amount} de la reserva "
        "{reference}. Páguelo con otra tarjeta.",
        "pay_card": "Introduzca la tarjeta que se guardará para la reserva {reference}.",
        "confirm_button": "Confirmar el pago",
        "pay_button": "Pagar {amount}",
        "save_card_button": "Guardar esta tarjeta",
        "pay_done": "Gracias: el saldo de {amount} está pagado.",
        "card_done": "Gracias: su nueva tarjeta está guardada.",
        "pay_declined": "La tarjeta fue rechazada. Pruebe con otra tarjeta.",
        "not_waiting": "Este pago ya no está pendiente.",
        "link_expired": "Este enlace ha caducado. Escriba a {property} para recibir uno nuevo.",
        "link_unknown": "Este enlace no es válido.",
        "test_card": "Tarjeta de prueba (demo)",
        "needs_script": "Esta página necesita JavaScript para mostrar el formulario seguro de "
        "la tarjeta.",
        "due_now": "A pagar ahora",
        "held_until": "La habitación está retenida para ti hasta las {time} UTC.",
        "hold_booked": "Gracias: tu estancia está reservada. "
        "Tu referencia de reserva es {reference}; la confirmación va de camino por correo "
        "electrónico.",
    },
    "it": {
        "schedule": "Piano dei pagamenti",
        "deposit_paid": "{amount} pagato alla prenotazione",
        "balance_on": "{amount} addebitato il {date}",
        "balance_paid": "Saldo di {amount} pagato",
        "balance_waiting": "Saldo di {amount} da pagare: lo paghi con il link che le abbiamo "
        "inviato",
        "guarantee": "La sua carta è conservata come garanzia; non è stato addebitato nulla.",
        "update_card": "Usare un'altra carta",
        "action_subject": "{property}: confermi il saldo della prenotazione {reference}",
        "action_body": "La sua banca le chiede di confermare il pagamento del saldo di "
        "{amount} per il soggiorno presso {property} (prenotazione {reference}).",
        "action_link": "Lo confermi qui: {link}",
        "failed_subject": "{property}: non è stato possibile addebitare il saldo della "
        "prenotazione {reference}",
        "failed_body": "Non è stato possibile addebitare il saldo di {amount} per il "
        "soggiorno presso {property} (prenotazione {reference}) sulla carta usata per "
        "prenotare. La prenotazione resta valida.",
        "failed_link": "Paghi il saldo con un'altra carta qui: {link}",
        "reminder_subject": "{property}: il saldo della prenotazione {reference} viene "
        "addebitato il {date}",
        "reminder_body": "Il {date} il saldo di {amount} viene addebitato sulla carta usata "
        "per prenotare (prenotazione {reference}).",
        "reminder_link": "Per usare un'altra carta, segua questo link: {link}",
        "charged_subject": "{property}: il saldo della prenotazione {reference} è pagato",
        "charged_body": "Il saldo di {amount} per il soggiorno presso {property} "
        "(prenotazione {reference}) è stato addebitato sulla sua carta. Grazie.",
        "link_until": "Il link è valido fino al {date}.",
        "pay_title": "Il suo pagamento per la prenotazione {reference}",
        "pay_authenticate": "La sua banca le chiede di confermare il saldo di {amount} per la "
        "prenotazione {reference}.",
        "pay_balance": "Non è stato possibile addebitare sulla sua carta il saldo di {amount} "
        "per la prenotazione {reference}. Lo paghi con un'altra carta.",
        "pay_card": "Inserisca la carta da conservare per la prenotazione {reference}.",
        "confirm_button": "Confermare il pagamento",
        "pay_button": "Pagare {amount}",
        "save_card_button": "Salvare questa carta",
        "pay_done": "Grazie: il saldo di {amount} è pagato.",
        "card_done": "Grazie: la sua nuova carta è salvata.",
        "pay_declined": "La carta è stata rifiutata. Provi con un'altra carta.",
        "not_waiting": "Questo pagamento non è più in attesa.",
        "link_expired": "Questo link è scaduto. Scriva a {property} per riceverne uno nuovo.",
        "link_unknown": "Questo link non è valido.",
        "test_card": "Carta di prova (demo)",
        "needs_script": "Questa pagina ha bisogno di JavaScript per mostrare il modulo sicuro "
        "della carta.",
        "due_now": "Da pagare ora",
        "held_until": "La camera è tenuta per te fino alle {time} UTC.",
        "hold_booked": "Grazie: il tuo soggiorno è prenotato. "
        "Il riferimento della prenotazione è {reference}; la conferma arriva per e-mail.",
    },
}
