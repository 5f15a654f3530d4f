"""A pitcher's side, end to end: the real process, its database and the Bot API's rules."""

from __future__ import annotations

import pytest

from dialogs.engine import KNOWN_COMMANDS
from tests.e2e.conftest import (
    ANSWERS,
    Deployment,
    People,
    answer_questions,
    body,
    buttons,
    client_module,
    consent,
    pitch_document,
    prompt,
    reference_in,
    review_card,
    says,
)

pytestmark = pytest.mark.e2e


async def test_the_command_menu_and_the_fixed_texts_in_every_language(people: People) -> None:
    """Registered at start-up in Dutch (also the default), English and French; /help and
    /privacy pass Telegram's HTML parser in each language."""
    for language, start in ((None, "pitchen"), ("nl", "pitchen"), ("en", "Pitch"), ("fr", "idée")):
        params = {"language_code": language} if language else {}
        menu = await people.client.bot_api("getMyCommands", **params)
        names = [command["command"] for command in menu]
        assert names == list(KNOWN_COMMANDS), (language, names)
        assert start in menu[0]["description"], (language, menu[0])
    for language in ("nl", "en", "fr"):
        visitor = people.pitcher("Vera", language)
        await visitor.send_command("/help")
        assert "/mypitches" in body(await visitor.next_message(says(language, "help")[:12]))
        await visitor.next_message(says(language, "consent")[:12])  # then where they are
        await visitor.send_command("/privacy")
        await visitor.next_message(says(language, "privacy")[:12])
        await visitor.next_message(says(language, "consent")[:12])


async def test_a_group_gets_one_quiet_pointer_to_a_private_chat(people: People) -> None:
    group = {"id": -100_555_001, "type": "supergroup", "title": "Buurtcomité"}
    walter = people.pitcher("Walter", "nl", chat=group)
    await walter.send_command("/start")
    pointer = await walter.next_message("privégesprek")
    assert "https://t.me/PitchbotTestBot?start=pitch" in body(pointer)
    await walter.send_command("/start")
    await walter.expect_no_new_message(0.5)


async def test_a_full_pitch_in_dutch_from_start_to_reference(people: People) -> None:
    anna = people.pitcher("Anna", "nl")
    await anna.send_command("/start")
    welcome = await anna.next_message("Welkom! Pitch ons je idee")
    assert buttons(welcome) == ["consent:yes:nl", "consent:no:nl", "lang:pick"]

    await anna.press(welcome, "consent:yes:nl")
    question = await anna.next_message("Vraag 1 van 11")
    assert prompt("idea", "nl") in body(question)
    first = await answer_questions(anna, question, "nl")

    card = await review_card(anna, first, "nl")
    shown = "\n".join(body(part) for part in card)
    for value in ANSWERS["nl"].values():
        assert value in shown
    await anna.press(card[-1], "send")
    done = await anna.next_message("Bedankt! Je pitch is ingestuurd.")
    reference = reference_in(body(done))
    assert f"Je referentie is {reference}." in body(done)
    # below it, her pitch as a one-page PDF to keep
    [page] = await pitch_document(anna, reference)
    assert page.startswith(f"Je pitch Referentie {reference}")
    for value in ANSWERS["nl"].values():
        assert value in page

    await anna.send_command("/mypitches")
    mine = await anna.next_message("Je pitches")
    assert reference in body(mine)
    assert says("nl", "status_new") in body(mine)


async def test_french_with_a_language_switch_midway(people: People) -> None:
    """Started in Dutch, continued in French: earlier answers stay, the rest is French."""
    camille = people.pitcher("Camille", "nl")
    question = await consent(camille, "nl")
    question = await answer_questions(camille, question, "nl", stop="change")
    assert prompt("change", "nl") in body(question)

    await camille.send_command("/language")
    choice = await camille.next_message(says("nl", "language_pick"))
    await camille.press(choice, "lang:fr")
    question = await camille.next_message("D'accord, on continue en français.")
    assert prompt("change", "fr") in body(question)
    assert "Question 4 sur 11" in body(question)

    # ...and, at the end, rather keeps in touch through Telegram only (a button)
    answers = {key: value for key, value in ANSWERS["fr"].items() if key != "contact"}
    first = await answer_questions(camille, question, "fr", start="change", answers=answers)
    card = await review_card(camille, first, "fr")
    shown = "\n".join(body(part) for part in card)
    assert says("fr", "review_title") in shown
    for key in ("idea", "dream", "challenge"):
        assert ANSWERS["nl"][key] in shown  # typed before the switch, kept
    for key in ("change", "solution", "connect", "name"):
        assert ANSWERS["fr"][key] in shown
    assert "Uniquement via Telegram" in shown

    await camille.press(card[-1], "send")
    done = await camille.next_message("Merci ! Votre pitch a bien été envoyé.")
    reference = reference_in(body(done))
    [page] = await pitch_document(camille, reference, "fr")
    assert page.startswith(f"Votre pitch Référence {reference}")
    assert "Votre idée " + ANSWERS["nl"]["idea"] in page  # labels in French, her answers
    await camille.send_command("/mypitches")
    mine = await camille.next_message("Vos pitchs")
    assert reference in body(mine)

    # the PDF again, from its button under the list
    await camille.press(mine, f"doc:{reference}")
    [again] = await pitch_document(camille, reference, "fr")
    assert again == page


async def test_edit_from_the_review_card(people: People) -> None:
    bram = people.pitcher("Bram", "nl")
    typed: dict[str, int] = {}
    question = await consent(bram, "nl")
    question = await answer_questions(bram, question, "nl", stop="contact", typed=typed)
    assert prompt("contact", "nl") in body(question)
    # the contact question: he shares his own phone number as a contact card
    phone = {"phone_number": "+32 470 12 34 56", "first_name": "Bram", "user_id": bram.user_id}
    await bram.send(contact=phone)
    card = await review_card(bram, await bram.next_message(), "nl")
    assert "+32470123456" in "\n".join(body(part) for part in card)

    # a section from the card's buttons: asked again, the current answer shown
    await bram.press(card[-1], "edit:challenge")
    again = await bram.next_message(prompt("challenge", "nl"))
    assert ANSWERS["nl"]["challenge"] in body(again)
    assert "next:challenge" in buttons(again)
    changed = "Alleenstaande ouders in Borgerhout hebben aan het eind van de maand geen vers eten"
    await bram.send_text(changed)
    card = await review_card(bram, await bram.next_message(), "nl")
    shown = "\n".join(body(part) for part in card)
    assert changed in shown
    assert ANSWERS["nl"]["challenge"] not in shown

    # Telegram's own "edit" on an earlier answer changes that answer
    dream = "Een wijk waar niemand honger heeft en iedereen zijn buren bij naam kent"
    await bram.edit_text(typed["dream"], dream)
    applied = await bram.next_message("Aangepast")
    assert dream in body(applied)

    await bram.press(card[-1], "send")
    done = await bram.next_message("Bedankt! Je pitch is ingestuurd.")
    reference = reference_in(body(done))
    assert changed in " ".join(await pitch_document(bram, reference))
    staff_card = await people.card(reference)
    assert changed in body(staff_card)


async def test_bad_input_is_explained_and_html_comes_back_verbatim(
    people: People, bot: Deployment
) -> None:
    """Photos, stickers and overlong text are explained; '<b>&' is shown as typed, on
    the review card and on the team's card (the emulator rejects unescaped HTML)."""
    tiny_png = client_module().tiny_png
    dirk = people.pitcher("Dirk", "nl")
    question = await consent(dirk, "nl")

    await dirk.send_photo(tiny_png(), caption="mijn idee")
    assert "geen foto" in body(await dirk.next_message(says("nl", "error_media", kind="foto")))
    await dirk.next_message("Vraag 1 van 11")  # then the question again, with its buttons
    await dirk.send_sticker()
    assert "geen sticker" in body(await dirk.next_message("Ik kan hier alleen getypte tekst"))
    await dirk.next_message("Vraag 1 van 11")
    await dirk.send_text("x" * 301)
    too_long = await dirk.next_message("301 tekens")  # kept: shortened or sent again
    assert buttons(too_long) == ["cut:idea"]

    idea = "Soep & brood <b>gratis</b> voor wie het krap heeft, 'zonder' \"papieren\""
    long_answers = {
        key: (value + " ") * (990 // (len(value) + 1))
        for key, value in ANSWERS["nl"].items()
        if key in ("dream", "challenge", "change", "solution", "novelty_detail", "connect")
    }
    answers = {**ANSWERS["nl"], **long_answers, "idea": idea}
    await dirk.send_text(idea)
    question = await dirk.next_message(prompt("dream", "nl"))
    first = await answer_questions(dirk, question, "nl", start="dream", answers=answers)

    card = await review_card(dirk, first, "nl")
    assert len(card) >= 2, "a review card over 4096 characters is split"
    assert all(len(body(part)) <= 4096 for part in card)
    assert idea in body(card[0])
    assert "&amp; brood &lt;b&gt;gratis&lt;/b&gt;" in card[0]["text_raw"]

    await dirk.press(card[-1], "send")
    done = await dirk.next_message("Bedankt! Je pitch is ingestuurd.")
    reference = reference_in(body(done))
    assert idea in " ".join(await pitch_document(dirk, reference))  # "<b>&" as typed
    staff_card = await people.card(reference)
    assert idea in body(staff_card)

    # the whole pitch, for staff, is split under Telegram's limit as well
    olga = await people.olga()
    await olga.send_command("/pitch", reference)
    whole = [await olga.next_message(reference)]
    while "Geschiedenis" not in body(whole[-1]):
        whole.append(await olga.next_message())
    assert len(whole) >= 2
    assert all(len(body(part)) <= 4096 for part in whole)
    assert idea in body(whole[0])
    assert "can't parse entities" not in bot.log()
