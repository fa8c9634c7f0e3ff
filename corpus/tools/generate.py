#!/usr/bin/env python3
"""Writes the plansok sample corpus: corpus/sample/<host>/<path>, a mirror of county sites.

For each of the 21 counties: a topic page on www.lansstyrelsen.se/<slug>/ that links the
county's plan, and the plan itself as a PDF made by LibreOffice from an HTML source (the
source is not kept). Plus municipality news pages, one English page, one Windows-1252 page and
one broken PDF. All text is written for plansok (fictitious but realistic); it is
deterministic: the same script gives the same files (up to PDF timestamps).

Usage: python3 corpus/tools/generate.py   (needs `soffice` from LibreOffice)
"""

import html
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sample")
LST = "www.lansstyrelsen.se"

# slug, full name, short, region organisation, plan type, period (start, end), two municipalities
COUNTIES = [
    ("stockholm", "Stockholms län", "Stockholm", "Region Stockholm", "handlingsplan", (2024, 2027), ["Södertälje", "Norrtälje"]),
    ("uppsala", "Uppsala län", "Uppsala", "Region Uppsala", "strategi", (2021, 2024), ["Enköping", "Tierp"]),
    ("sodermanland", "Södermanlands län", "Södermanland", "Region Sörmland", "handlingsplan", (2022, 2025), ["Eskilstuna", "Nyköping"]),
    ("ostergotland", "Östergötlands län", "Östergötland", "Region Östergötland", "overenskommelse", (2020, 2023), ["Linköping", "Norrköping"]),
    ("jonkoping", "Jönköpings län", "Jönköping", "Region Jönköpings län", "handlingsplan", (2025, 2025), ["Värnamo", "Nässjö"]),
    ("kronoberg", "Kronobergs län", "Kronoberg", "Region Kronoberg", "strategi", (2018, 2021), ["Växjö", "Ljungby"]),
    ("kalmar", "Kalmar län", "Kalmar", "Region Kalmar län", "handlingsplan", (2023, 2026), ["Västervik", "Oskarshamn"]),
    ("gotland", "Gotlands län", "Gotland", "Region Gotland", "handlingsplan", (2024, 2024), ["Gotland"]),
    ("blekinge", "Blekinge län", "Blekinge", "Region Blekinge", "strategi", (2019, 2022), ["Karlskrona", "Ronneby"]),
    ("skane", "Skåne län", "Skåne", "Region Skåne", "handlingsplan", (2022, 2026), ["Malmö", "Helsingborg"]),
    ("halland", "Hallands län", "Halland", "Region Halland", "overenskommelse", (2023, 2026), ["Halmstad", "Varberg"]),
    ("vastra-gotaland", "Västra Götalands län", "Västra Götaland", "Västra Götalandsregionen", "strategi", (2024, 2027), ["Borås", "Trollhättan"]),
    ("varmland", "Värmlands län", "Värmland", "Region Värmland", "handlingsplan", (2021, 2024), ["Karlstad", "Arvika"]),
    ("orebro", "Örebro län", "Örebro", "Region Örebro län", "handlingsplan", (2022, 2025), ["Karlskoga", "Kumla"]),
    ("vastmanland", "Västmanlands län", "Västmanland", "Region Västmanland", "overenskommelse", (2021, 2025), ["Västerås", "Köping"]),
    ("dalarna", "Dalarnas län", "Dalarna", "Region Dalarna", "handlingsplan", (2020, 2023), ["Borlänge", "Mora"]),
    ("gavleborg", "Gävleborgs län", "Gävleborg", "Region Gävleborg", "strategi", (2022, 2026), ["Gävle", "Hudiksvall"]),
    ("vasternorrland", "Västernorrlands län", "Västernorrland", "Region Västernorrland", "handlingsplan", (2022, 2026), ["Sundsvall", "Härnösand"]),
    ("jamtland", "Jämtlands län", "Jämtland", "Region Jämtland Härjedalen", "handlingsplan", (2025, 2025), ["Östersund", "Krokom"]),
    ("vasterbotten", "Västerbottens län", "Västerbotten", "Region Västerbotten", "handlingsplan", (2024, 2026), ["Umeå", "Skellefteå"]),
    ("norrbotten", "Norrbottens län", "Norrbotten", "Region Norrbotten", "overenskommelse", (2024, 2027), ["Luleå", "Kiruna"]),
]

TYPE_TITLE = {
    "handlingsplan": "Regional handlingsplan mot mäns våld mot kvinnor",
    "strategi": "Regional strategi för arbetet mot mäns våld mot kvinnor och våld i nära relationer",
    "overenskommelse": "Regional överenskommelse om samverkan mot mäns våld mot kvinnor",
}

GOALS = [
    ("Ett utökat och verkningsfullt förebyggande arbete mot våld", [
        "Skolorna i {m0} och {m1} erbjuder samtliga elever i årskurs 8 ett våldsförebyggande program om normer, maskulinitet och samtycke.",
        "Kommunerna inför verksamhet för våldsutövare som vill ändra beteende, med samtalsbehandling i grupp och individuellt.",
        "Ungdomsmottagningarna utbildas i att samtala om relationer, gränser och digitalt våld med unga i riskgrupper.",
        "Föräldraskapsstöd med inslag om konfliktlösning utan våld erbjuds i alla kommuner i länet.",
        "Idrottsföreningar i länet får stöd att arbeta förebyggande mot sexuella trakasserier och kränkningar.",
        "En kampanj riktad till män om att ta ansvar och säga ifrån när kamrater utövar våld genomförs varje höst.",
    ]),
    ("Förbättrad upptäckt av våld och starkare skydd och stöd för våldsutsatta kvinnor och barn", [
        "Hälso- och sjukvården i {region} frågar rutinmässigt alla patienter om erfarenhet av våld.",
        "Socialtjänsten använder ett gemensamt verktyg för riskbedömning vid misstanke om våld i nära relationer.",
        "Skyddat boende med plats för medföljande barn finns att tillgå i länet dygnet runt.",
        "Kvinnojourerna och tjejjourerna i länet får långsiktigt stöd för att kunna ge stöd och skydd till våldsutsatta.",
        "Barn som har bevittnat våld erbjuds krisstöd och samtal inom två veckor efter att våldet blivit känt.",
        "Tandvården och mödrahälsovården utbildas i att upptäcka tecken på våld och hänvisa till rätt stöd.",
    ]),
    ("Effektivare brottsbekämpning", [
        "Polisen, åklagare och socialtjänsten samverkar i Barnahus {short} så att barn som utsatts för brott får ett samlat omhändertagande.",
        "Polismyndigheten följer upp överträdelser av kontaktförbud inom ett dygn.",
        "Rutiner för bevissäkring vid våld i nära relationer tas fram tillsammans med rättsmedicinen, så att fler brott leder till lagföring.",
        "Kommunerna uppmuntrar och stödjer polisanmälan när våldsutsatta söker hjälp.",
        "En regional samverkansgrupp mot hedersrelaterat våld och förtryck träffas varje månad för att gemensamt bedöma ärenden.",
        "Kriminalvården och frivården erbjuder behandlingsprogram till dömda för våldsbrott i nära relationer.",
    ]),
    ("Förbättrad kunskap och metodutveckling", [
        "Länsstyrelsen erbjuder en grundutbildning om mäns våld mot kvinnor till all personal som möter våldsutsatta.",
        "En årlig lägesbild över våldet i länet tas fram med statistik från polis, socialtjänst och hälso- och sjukvård.",
        "Kommunerna deltar i ett regionalt nätverk för metodutveckling och erfarenhetsutbyte.",
        "Kompetensutveckling om våld mot äldre kvinnor och kvinnor med funktionsnedsättning genomförs under perioden.",
        "Forskning om våld i glesbygd följs och sprids till verksamheterna i länet genom seminarier.",
        "Uppföljning av åtgärderna sker varje år och redovisas för den regionala ledningsgruppen.",
    ]),
]

INTRO = [
    "Mäns våld mot kvinnor är ett allvarligt samhällsproblem och ett hinder för jämställdheten. Våldet orsakar stort lidande för de drabbade och deras barn och innebär stora kostnader för samhället.",
    "Våld i nära relationer drabbar kvinnor, män och barn i alla delar av samhället, men kvinnor utsätts oftare för grovt och upprepat våld. Arbetet mot våldet kräver att myndigheter, kommuner, region och civilsamhälle arbetar tillsammans.",
    "Ingen kvinna eller flicka ska behöva leva med våld eller hot om våld. Länets aktörer har ett gemensamt ansvar för att förebygga våldet, ge skydd och stöd till de utsatta och se till att förövare lagförs.",
]


def fmt_period(p):
    return str(p[0]) if p[0] == p[1] else f"{p[0]}–{p[1]}"


def period_slug(p):
    return str(p[0]) if p[0] == p[1] else f"{p[0]}-{p[1]}"


def plan_file(c):
    slug, _, _, _, kind, period, _ = c
    word = {"handlingsplan": "handlingsplan", "strategi": "regional-strategi", "overenskommelse": "regional-overenskommelse"}[kind]
    return f"{slug}/tjanster/publikationer/{word}-mans-vald-mot-kvinnor-{period_slug(period)}.pdf"


def plan_title(c):
    return f"{TYPE_TITLE[c[4]]} {fmt_period(c[5])}"


def goals_for(i):
    """Every county has prevention and support; others alternate, so all four appear."""
    return [g for k, g in enumerate(GOALS) if k < 2 or (i + k) % 3 != 0]


def plan_html(i, c):
    slug, name, short, region, kind, period, munis = c
    m = munis + munis
    fill = dict(m0=m[0], m1=m[1], region=region, short=short)
    verb = {"handlingsplan": "handlingsplanen", "strategi": "strategin", "overenskommelse": "överenskommelsen"}[kind]
    parts = [f"<h1>{html.escape(TYPE_TITLE[kind])}</h1>",
             f"<p><b>{html.escape(name)} {fmt_period(period)}</b></p>",
             "<h2>Inledning</h2>",
             f"<p>{INTRO[i % 3]}</p>",
             f"<p>Den här {verb} gäller {'för år' if period[0] == period[1] else 'för perioden'} {fmt_period(period)} och har tagits fram av Länsstyrelsen i {name} tillsammans med {region}, Polismyndigheten, Åklagarmyndigheten och länets kommuner. "
             f"Arbetet utgår från regeringens nationella strategi för att förebygga och bekämpa mäns våld mot kvinnor, som gäller 2017–2026.</p>",
             "<h2>Mål för arbetet i länet</h2>",
             f"<p>Målet är att mäns våld mot kvinnor ska upphöra i {short}. Åtgärderna nedan är ordnade efter strategins målsättningar.</p>"]
    for k, (heading, measures) in enumerate(goals_for(i)):
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append("<ul>")
        for j in range(3):
            text = measures[(i + j * 2 + k) % len(measures)].format(**fill)
            parts.append(f"<li>{html.escape(text)}</li>")
        parts.append("</ul>")
    parts += ["<h2>Uppföljning</h2>",
              f"<p>Länsstyrelsen i {name} samordnar uppföljningen. Varje part rapporterar en gång per år hur åtgärderna har genomförts, och resultatet redovisas för den regionala ledningsgruppen.</p>",
              f"<p>{html.escape(m[0])} den 15 mars {period[0]}</p>",
              f"<p>Landshövding, Länsstyrelsen i {name}</p>",
              f"<p>Regiondirektör, {html.escape(region)}</p>"]
    return "<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>" + html.escape(plan_title(c)) + "</title></head><body>" + "\n".join(parts) + "</body></html>"


def extra_links(slug):
    if slug != "gotland":
        return ""
    return '\n<p><a href="/gotland/tjanster/publikationer/lagesbild-vald-2023-trasig.pdf">Lägesbild våld 2023 (pdf)</a></p>'


def page(title, site, body_html, lang="sv", charset="utf-8"):
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="{charset}"><title>{html.escape(title)} | {html.escape(site)}</title></head>
<body>
<div class="cookie-banner" role="dialog"><p>Vi använder kakor för att webbplatsen ska fungera. <button>Godkänn</button></p></div>
<header><a href="/">Till startsidan</a><nav aria-label="Huvudmeny"><ul><li><a href="/">Start</a></li><li><a href="#">Samhälle</a></li><li><a href="#">Kontakt</a></li></ul></nav></header>
<nav class="breadcrumb"><a href="/">Start</a> / <a href="#">Samhälle</a> / {html.escape(title)}</nav>
<main id="main-content"><article>
{body_html}
<div class="share"><h2>Dela sidan</h2><a href="#">Facebook</a> <a href="#">LinkedIn</a></div>
</article></main>
<footer><p>{html.escape(site)}</p><p>Telefon 010-000 00 00</p></footer>
</body></html>
"""


def topic_page(i, c):
    slug, name, short, region, kind, period, munis = c
    href = "/" + plan_file(c)
    body = f"""<h1>Mäns våld mot kvinnor</h1>
<p class="page-info">Publiceringsdatum: {period[0] - 1}-11-{10 + i:02d}</p>
<p>Länsstyrelsen i {name} samordnar det regionala arbetet mot mäns våld mot kvinnor, våld i nära relationer och hedersrelaterat våld och förtryck. Vi stödjer kommunerna, {html.escape(region)} och andra aktörer med kunskap, samverkan och uppföljning.</p>
<h2>Länets {'plan' if kind == 'handlingsplan' else 'strategi' if kind == 'strategi' else 'överenskommelse'}</h2>
<p>Arbetet i {short} utgår från en gemensam {'handlingsplan' if kind == 'handlingsplan' else 'strategi' if kind == 'strategi' else 'överenskommelse'} för {fmt_period(period)} med åtgärder inom strategins fyra målsättningar.</p>
<p><a href="{href}">{html.escape(plan_title(c))} (pdf, 180 kB)</a></p>{extra_links(slug)}
<h2>Nationell strategi</h2>
<p>Regeringens nationella strategi för att förebygga och bekämpa mäns våld mot kvinnor gäller för perioden 2017–2026 och har fyra målsättningar.</p>
<div class="contact"><h2>Kontakt</h2><p>Samordnare mot mäns våld mot kvinnor</p><p><a href="mailto:{slug}@lansstyrelsen.se">{slug}@lansstyrelsen.se</a></p></div>
"""
    return page("Mäns våld mot kvinnor", f"Länsstyrelsen i {name}", body)


def municipality_news(muni, county, gen, domain, title, date, text_paras, quote):
    body = f"<h1>{html.escape(title)}</h1>\n<p class=\"date\">Publicerad: {date}</p>\n"
    body += "\n".join(f"<p>{html.escape(p)}</p>" for p in text_paras)
    body += f"\n<p>– {html.escape(quote[0])}, säger {html.escape(quote[1])}.</p>"
    body += f"\n<div class=\"contact\"><h2>Frågor kring nyheten?</h2><p>Kommunikationsavdelningen</p><p><a href=\"mailto:info@{domain}\">info@{domain}</a></p></div>"
    return page(title, f"{gen} kommun", body)


def write(rel, content, encoding="utf-8"):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding=encoding) as f:
        f.write(content)


def make_pdfs(jobs):
    """Converts (html, target path) pairs to PDF with LibreOffice in one run."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        sys.exit("soffice (LibreOffice) is needed: apt-get install libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory() as tmp:
        names = []
        for k, (doc, _) in enumerate(jobs):
            src = os.path.join(tmp, f"plan{k:02d}.html")
            with open(src, "w", encoding="utf-8") as f:
                f.write(doc)
            names.append(src)
        cmd = [soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile",
               "--convert-to", "pdf:writer_pdf_Export", "--outdir", tmp] + names
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        for k, (_, target) in enumerate(jobs):
            out = os.path.join(ROOT, target)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            shutil.move(os.path.join(tmp, f"plan{k:02d}.pdf"), out)


def main():
    if os.path.isdir(ROOT):
        shutil.rmtree(ROOT)
    jobs = []
    for i, c in enumerate(COUNTIES):
        write(f"{LST}/{c[0]}/samhalle/social-hallbarhet/mans-vald-mot-kvinnor.html", topic_page(i, c))
        jobs.append((plan_html(i, c), f"{LST}/{plan_file(c)}"))
    extra_municipality_pages()
    election_page()
    english_page()
    windows_1252_page()
    make_pdfs(jobs)
    broken_pdf()
    write(f"{LST}/robots.txt", "User-agent: *\nDisallow: /*/sok\nDisallow: /intern/\n")


def extra_municipality_pages():
    write("www.ostersund.se/nyheter/kommunen-staller-sig-bakom-handlingsplan-mot-vald.html", municipality_news(
        "Östersund", "Jämtlands län", "Östersunds", "ostersund.se",
        "Kommunen ställer sig bakom länets handlingsplan mot våld", "2025-02-14",
        ["Östersunds kommun har beslutat att ansluta sig till Handlingsplan 2025 för arbetet mot mäns våld mot kvinnor i Jämtlands län.",
         "Kommunen ansvarar bland annat för att socialtjänsten gör en riskbedömning i alla ärenden där våld förekommer, och för att skolan arbetar våldsförebyggande med eleverna.",
         "Under året utbildas personal inom hemtjänsten i att upptäcka våld mot äldre kvinnor."],
        ("Vi vet att våldet finns i alla delar av kommunen och vi tar vårt ansvar för att det ska upphöra", "socialchefen i Östersund")))
    write("www.umea.se/nyheter/nytt-stod-for-vaaldsutsatta-kvinnor.html", municipality_news(
        "Umeå", "Västerbottens län", "Umeå", "umea.se",
        "Utökat stöd till våldsutsatta kvinnor och barn", "2024-04-02",
        ["Umeå kommun utökar stödet till kvinnor och barn som utsatts för våld. Fler platser i skyddat boende öppnas och kvinnojouren får ett nytt avtal.",
         "Satsningen är en del av den regionala handlingsplanen för perioden 2024–2026 som kommunen har undertecknat tillsammans med Länsstyrelsen Västerbotten och Region Västerbotten."],
        ("Ingen ska behöva stanna kvar i ett våldsamt förhållande för att det saknas en trygg plats att ta sig till", "ordföranden i socialnämnden")))
    write("malmo.se/aktuellt/nyheter/kommunen-okar-arbetet-mot-hedersrelaterat-vald.html", municipality_news(
        "Malmö", "Skåne län", "Malmö", "malmo.se",
        "Staden ökar arbetet mot hedersrelaterat våld och förtryck", "2023-09-19",
        ["Malmö stad förstärker arbetet mot hedersrelaterat våld och förtryck med ett nytt kompetensteam och utbildning för skolpersonal.",
         "Insatserna följer den regionala handlingsplanen 2022–2026 i Skåne län och samordnas med polisen och Region Skåne."],
        ("Unga som lever med hedersrelaterade begränsningar ska mötas av vuxna som vet vad de ska göra", "en samordnare i staden")))
    write("www.linkoping.se/nyheter/samverkan-mot-vald-i-nara-relationer.html", municipality_news(
        "Linköping", "Östergötlands län", "Linköpings", "linkoping.se",
        "Ny samverkan mot våld i nära relationer", "2021-03-08",
        ["Linköpings kommun och polisen inleder en ny samverkan för att fler brott i nära relationer ska anmälas och leda till lagföring.",
         "Samverkan bygger på den regionala överenskommelsen 2020–2023 i Östergötlands län."],
        ("När socialtjänst och polis arbetar tillsammans får den som är utsatt hjälp snabbare", "en enhetschef i kommunen")))


def election_page():
    """A municipal page about an election, not about violence: its words "vald", "valdes" and
    "avvaldes" differ from "våld" only by a diacritic, so a search for "våld" must not find it."""
    write("www.kiruna.se/nyheter/ny-ordforande-i-socialnamnden.html", municipality_news(
        "Kiruna", "Norrbottens län", "Kiruna", "kiruna.se",
        "Ny ordförande i socialnämnden", "2024-06-11",
        ["Kommunfullmäktige i Kiruna valde på måndagen en ny ordförande i socialnämnden. Den tidigare ordföranden avvaldes efter en omröstning.",
         "Den nya ordföranden valdes med 31 röster mot 20 och är vald för resten av mandatperioden. Två ledamöter omvaldes.",
         "Nämnden ansvarar för socialtjänsten, äldreomsorgen och stödet till personer med funktionsnedsättning."],
        ("Jag är glad över förtroendet och ser fram emot arbetet i nämnden", "den nyvalda ordföranden")))


def english_page():
    body = """<h1>Men's violence against women</h1>
<p>The County Administrative Board of Stockholm coordinates the regional work to prevent and combat men's violence against women, honour-related violence and oppression, and prostitution and human trafficking.</p>
<p>The regional action plan for 2024–2027 sets out measures in four areas: prevention of violence, detection of violence together with protection and support for women and children who are subjected to violence, more effective law enforcement, and improved knowledge and method development.</p>
<p>If you are subjected to violence, you can get support from the social services in your municipality and from women's shelters. In an emergency, call 112.</p>
<div class="contact"><h2>Contact</h2><p><a href="mailto:stockholm@lansstyrelsen.se">stockholm@lansstyrelsen.se</a></p></div>
"""
    write(f"{LST}/stockholm/other-languages/english/mens-violence-against-women.html",
          page("Men's violence against women", "County Administrative Board of Stockholm", body, lang="en"))


def windows_1252_page():
    body = """<h1>Kvinnofrid i Luleå kommun</h1>
<p>Luleå kommun arbetar för att förebygga våld i nära relationer och för att våldsutsatta kvinnor och barn ska få skydd och stöd. Arbetet följer den regionala överenskommelsen 2024–2027 i Norrbottens län.</p>
<p>Kommunens kvinnofridssamordnare håller utbildningar för personal inom socialtjänst, skola och äldreomsorg om hur man upptäcker våld och vad man gör när någon berättar.</p>
<ul><li>Stödsamtal för våldsutsatta, även anonymt.</li><li>Behandling för den som utövar våld och vill förändra sitt beteende.</li></ul>
<div class="contact"><h2>Kontakt</h2><p><a href="mailto:kvinnofrid@lulea.se">kvinnofrid@lulea.se</a></p></div>
"""
    text = page("Kvinnofrid", "Luleå kommun", body, charset="windows-1252")
    write("www.lulea.se/stod-och-omsorg/vald-i-nara-relationer/kvinnofrid.html", text, encoding="cp1252")


def broken_pdf():
    """A PDF cut off after its first kilobyte, as a failed download leaves it."""
    good = os.path.join(ROOT, LST, plan_file(COUNTIES[7]))
    with open(good, "rb") as f:
        head = f.read(1024)
    out = os.path.join(ROOT, LST, "gotland/tjanster/publikationer/lagesbild-vald-2023-trasig.pdf")
    with open(out, "wb") as f:
        f.write(head)


if __name__ == "__main__":
    main()
