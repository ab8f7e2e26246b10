"""category_label and canonical_party against ANNOTATION.md section 4: tables of cases, then the data check."""
import subprocess
import sys
from pathlib import Path

import pytest

from ie_model.normalize.lexicon import CATEGORY_LABELS, canonical_party, category_label, check

ROOT = Path(__file__).resolve().parents[1]

TAXONOMY = ("personnel", "tanks", "armored_vehicles", "artillery", "mlrs", "air_defense", "aircraft",
            "helicopters", "uav", "missiles", "ships", "submarines", "vehicles", "special_equipment",
            "airstrikes", "attacks", "clashes", "targets", "civilians", "people", "other")

# Every CATEGORY surface form of the seed article.
SEED_CATEGORIES = [
    # fighters: armed men, unless a jet is named
    ("fighters", "personnel"), ("allied Joint Force fighters", "personnel"), ("Hezbollah fighters", "personnel"),
    ("F-35 stealth fighters", "aircraft"), ("F-14 Tomcat fighters", "aircraft"), ("J-10C fighters", "aircraft"),
    ("F/A-18E Super Hornets", "aircraft"), ("fighter jets", "aircraft"),
    # heads that once fell through to a wrong label
    ("sub-inspectors", "personnel"), ("infiltrators", "personnel"), ("rangers", "personnel"),
    ("shoppers", "civilians"), ("seafarers", "civilians"), ("khwarij", "personnel"),
    ("mujahideen", "personnel"), ("constables", "personnel"), ("infiltration attempts", "attacks"),
    ("waves of strikes", "attacks"), ("machine guns and rocket-propelled grenade launchers", "other"),
    ("Grad rocket launchers", "mlrs"),
    ("ammunition dumps", "targets"), ("orcs", "personnel"), ("deserters", "personnel"),
    ("troops", "personnel"),
    ("tanks", "tanks"),
    ("soldiers", "personnel"),
    ("human casualties", "personnel"),
    ("armored fighting vehicles", "armored_vehicles"),
    ("artillery systems", "artillery"),
    ("drones", "uav"),
    ("troop", "personnel"),
    ("combat clashes", "clashes"),
    ("airstrikes", "airstrikes"),
    ("attacks using multiple-launch rocket systems", "attacks"),
    ("clusters of enemy personnel, weapons and military equipment", "targets"),
    ("clusters of personnel, weapons and military equipment", "targets"),
    ("command points", "targets"),
    ("ammunition storage points", "targets"),
]

CATEGORIES = [
    # tanks and armour
    ("tank", "tanks"), ("T-72 tanks", "tanks"), ("main battle tanks", "tanks"), ("MBTs", "tanks"),
    ("T-90s", "tanks"), ("Leopard 2 tanks", "tanks"), ("Abrams", "tanks"),
    ("armored vehicles", "armored_vehicles"), ("armoured vehicles", "armored_vehicles"),
    ("AFVs", "armored_vehicles"), ("APCs", "armored_vehicles"), ("IFVs", "armored_vehicles"),
    ("MRAPs", "armored_vehicles"), ("BMPs", "armored_vehicles"), ("BTR-82s", "armored_vehicles"),
    ("armored personnel carriers", "armored_vehicles"), ("infantry fighting vehicles", "armored_vehicles"),
    ("Bradley fighting vehicles", "armored_vehicles"), ("combat vehicles", "armored_vehicles"),
    # artillery, rockets, air defence
    ("artillery", "artillery"), ("howitzers", "artillery"), ("SPGs", "artillery"),
    ("self-propelled guns", "artillery"), ("artillery pieces", "artillery"), ("pieces of artillery", "artillery"),
    ("mortars", "artillery"), ("M777 howitzers", "artillery"),
    ("MLRS", "mlrs"), ("multiple rocket launchers", "mlrs"), ("multiple-launch rocket systems", "mlrs"),
    ("multiple launch rocket systems", "mlrs"), ("HIMARS", "mlrs"), ("rocket launchers", "mlrs"), ("Grads", "mlrs"),
    ("air defense systems", "air_defense"), ("air defence systems", "air_defense"), ("SAM systems", "air_defense"),
    ("anti-aircraft warfare systems", "air_defense"), ("surface-to-air missile systems", "air_defense"),
    ("anti-aircraft guns", "air_defense"), ("S-300 systems", "air_defense"), ("Patriot systems", "air_defense"),
    ("air defence installations", "air_defense"),
    # air, drones, missiles, sea
    ("aircraft", "aircraft"), ("jets", "aircraft"), ("fighter jets", "aircraft"), ("warplanes", "aircraft"),
    ("Su-34s", "aircraft"), ("F-16s", "aircraft"), ("Su-25 attack aircraft", "aircraft"),
    ("helicopters", "helicopters"), ("Ka-52 helicopters", "helicopters"), ("attack helicopters", "helicopters"),
    ("Mi-8s", "helicopters"),
    ("UAVs", "uav"), ("operational-tactical level UAVs", "uav"), ("Shahed attack drones", "uav"),
    ("UCAVs", "uav"), ("unmanned aerial vehicles", "uav"), ("loitering munitions", "uav"), ("Shaheds", "uav"),
    ("drones shot down", "uav"), ("drones launched overnight", "uav"),
    ("cruise missiles", "missiles"), ("ballistic missiles", "missiles"), ("rockets", "missiles"),
    ("anti-tank missiles", "missiles"), ("ATGMs", "missiles"), ("Kh-101 missiles", "missiles"),
    ("warships/boats", "ships"), ("warships", "ships"), ("patrol boats", "ships"), ("vessels", "ships"),
    ("aircraft carriers", "ships"), ("submarines", "submarines"), ("submarine", "submarines"),
    # vehicles and special equipment
    ("fuel tanks and vehicles", "vehicles"), ("trucks", "vehicles"), ("vehicles", "vehicles"),
    ("military vehicles", "vehicles"), ("automotive equipment", "vehicles"), ("fuel tanks", "vehicles"),
    ("MLRS and vehicles", "vehicles"), ("tanks and armored vehicles", "armored_vehicles"),
    ("special equipment", "special_equipment"), ("electronic warfare systems", "special_equipment"),
    ("radar stations", "special_equipment"), ("radars", "special_equipment"),
    # actions
    ("air strikes", "airstrikes"), ("airstrike", "airstrikes"), ("sorties", "airstrikes"), ("air raids", "airstrikes"),
    ("attacks", "attacks"), ("assaults", "attacks"), ("shelling attacks", "attacks"), ("strikes", "attacks"),
    ("missile strikes", "attacks"), ("drone attacks", "attacks"), ("shelling", "attacks"),
    ("combat engagements", "clashes"), ("firefights", "clashes"), ("engagements", "clashes"),
    ("clashes", "clashes"), ("exchanges of fire", "clashes"),
    # targets
    ("areas", "targets"), ("positions", "targets"), ("targets", "targets"), ("command posts", "targets"),
    ("ammunition depots", "targets"), ("troop concentrations", "targets"), ("tunnel shafts", "targets"),
    # people
    ("civilians", "civilians"), ("children", "civilians"), ("health workers", "civilians"),
    ("villagers", "civilians"), ("aid workers", "civilians"), ("journalists", "civilians"),
    ("civilian casualties", "civilians"), ("civilians killed", "civilians"), ("women and children", "civilians"),
    ("killed", "people"), ("dead", "people"), ("the dead", "people"), ("casualties", "people"), ("people", "people"),
    ("wounded", "people"), ("Palestinians", "people"), ("people killed", "people"), ("deaths", "people"),
    ("killed and wounded", "people"), ("Palestinian casualties", "people"), ("killed in action", "people"),
    ("servicemen", "personnel"), ("fighters", "personnel"), ("militants", "personnel"), ("personnel", "personnel"),
    ("mercenaries", "personnel"), ("insurgents", "personnel"), ("prisoners of war", "personnel"),
    ("POWs", "personnel"), ("enemy personnel", "personnel"), ("military casualties", "personnel"),
    ("Israeli soldiers killed", "personnel"), ("service members", "personnel"),
    # other
    ("units of military equipment", "other"), ("weapons", "other"), ("artillery shells", "other"),
    ("glide bombs", "other"), ("mines", "other"), ("foo bar", "other"), ("", "other"),
]

# Gaps the hand-written training sources showed (surfaces from data/gold/src, test split excluded).
CORPUS_CATEGORIES = [
    # fighters under other names
    ("peacekeepers", "personnel"), ("peacekeeper", "personnel"), ("attackers", "personnel"),
    ("assailants", "personnel"), ("volunteers", "personnel"), ("elements", "personnel"),
    ("elements of the Kinshasa coalition", "personnel"), ("captives", "personnel"),
    ("brigadier generals", "personnel"), ("generals", "personnel"), ("officers", "personnel"),
    ("bandits", "personnel"), ("saboteurs", "personnel"), ("dissidents", "personnel"),
    ("armed loyalists", "personnel"), ("remnants", "personnel"), ("tactical units", "personnel"),
    ("brigades", "personnel"), ("serviceman", "personnel"), ("police cadets", "personnel"),
    ("police", "personnel"), ("personnel losses", "personnel"),
    ("inmates recruited from prison colonies", "personnel"), ("convicts recruited from prisons", "personnel"),
    # equipment
    ("Humvees", "armored_vehicles"), ("Rafales", "aircraft"), ("Typhoon FGR4s", "aircraft"),
    ("Stridsvagn 122s", "tanks"), ("decoys", "uav"), ("Javelin anti-armor systems", "missiles"),
    ("motorbikes", "vehicles"), ("automobiles", "vehicles"), ("pick-ups mounted with machine guns", "vehicles"),
    # actions
    ("interdiction missions", "airstrikes"), ("assassinations", "attacks"), ("massacres", "attacks"),
    ("incursions", "attacks"), ("counterattacks", "attacks"), ("explosions", "attacks"),
    ("ceasefire violations", "attacks"), ("violations of the ceasefire", "attacks"),
    ("political violence events", "attacks"),
    # targets struck, overrun or captured
    ("checkpoints", "targets"), ("command centres", "targets"), ("command centers", "targets"),
    ("weapons caches", "targets"), ("bomb-making workshops", "targets"), ("IED workshops", "targets"),
    ("vehicle bomb factories", "targets"), ("explosives factories", "targets"), ("ammunition stores", "targets"),
    ("hangars", "targets"), ("airports", "targets"), ("power stations", "targets"), ("power plants", "targets"),
    ("oil refineries", "targets"), ("cave complexes", "targets"), ("cocaine laboratories", "targets"),
    ("outposts", "targets"), ("enclaves", "targets"), ("settlements", "targets"), ("homes", "targets"),
    ("schools", "targets"), ("hospitals and clinics", "targets"), ("mosques", "targets"),
    # people and civilians
    ("injuries", "people"), ("killings", "people"), ("toll", "people"), ("death toll", "people"),
    ("overall toll", "people"), ("martyrs", "people"), ("abducted", "people"), ("hospitalised", "people"),
    ("suspects", "people"), ("foreigners", "people"), ("officials", "people"), ("ministers", "people"),
    ("man", "people"), ("Tigrayans", "people"), ("Christians", "people"), ("Sunni Bedouin", "people"),
    ("children abducted", "civilians"), ("woman", "civilians"), ("mourners", "civilians"),
    ("tourists", "civilians"), ("African migrants", "civilians"), ("nuclear scientists", "civilians"),
    ("patients and their companions", "civilians"), ("citizens", "civilians"),
    # munitions and small arms: no class of their own
    ("bombs", "other"), ("car bombs", "other"), ("2,000-pound bombs", "other"), ("JDAM guided bombs", "other"),
    ("GBU-57 Massive Ordnance Penetrators", "other"), ("MK-84s", "other"), ("munitions", "other"),
    ("precision-guided munitions", "other"), ("shells", "other"), ("mortar rounds", "other"),
    ("rounds of ammunition", "other"), ("improvised explosive devices", "other"), ("rifles", "other"),
    ("AK-47 rifles", "other"), ("assault rifles", "other"), ("machine guns", "other"),
    ("PKM machine guns", "other"), ("small arms", "other"), ("weapons", "other"), ("means of air attack", "other"),
    ("times", "other"), ("patrols", "other"),
    # round-8 writers' reports: Philippine and Papuan clashes, shootings, miners
    ("armed encounters", "clashes"), ("exchanges of small-arms fire", "clashes"), ("drive-by shootings", "attacks"),
    ("gold miners", "civilians"),
    # round-9 writers' reports: tally labels, other names for armed men, drones by name
    ("KIA", "personnel"), ("WIA", "personnel"), ("guardsmen", "personnel"), ("vigilantes", "personnel"),
    ("motorised rifle regiments", "personnel"), ("military dead", "personnel"), ("Reapers", "uav"),
    ("Hermes 900", "uav"), ("Hermes 900 drones", "uav"), ("aeroplanes", "aircraft"),
]


@pytest.mark.parametrize("text,label", SEED_CATEGORIES + CATEGORIES + CORPUS_CATEGORIES)
def test_category_label(text, label):
    assert category_label(text) == label


def test_category_labels_are_the_taxonomy():
    assert CATEGORY_LABELS == TAXONOMY


@pytest.mark.parametrize("text", ["TANKS", "Tanks", "tanks", "  tanks  ", "Tank", "t-72 TANKS"])
def test_category_case_and_number(text):
    assert category_label(text) == "tanks"


def test_category_results_stay_in_taxonomy():
    for text, _ in SEED_CATEGORIES + CATEGORIES + CORPUS_CATEGORIES:
        assert category_label(text) in TAXONOMY


# Every ACTOR and SOURCE surface form of the seed article (the Ukrainian General Staff is the speaker
# of the report that "its forces", "Units of Rocket Forces" and "enemy" come from).
SEED_PARTIES = [
    ("Russia", None, "Russia"),
    ("Kyiv", None, "Ukraine"),
    ("Russian forces", None, "Russia"),
    ("Kyiv\u2019s military", None, "Ukraine"),
    ("The General Staff of the Armed Forces of Ukraine", None, "Ukraine"),
    ("Ukraine", None, "Ukraine"),
    ("Putin\u2019s military", None, "Russia"),
    ("Ukrainian servicemen", None, "Ukraine"),
    ("Ukraine\u2019s military", None, "Ukraine"),
    ("Russian", None, "Russia"),
    ("the General Staff", "Ukraine", "Ukraine"),
    ("its forces", "Ukraine", "Ukraine"),
    ("the Air Force of Ukraine\u2019s Armed Forces", "Ukraine", "Ukraine"),
    ("Units of Rocket Forces", "Ukraine", "Ukraine"),
    ("enemy", "Ukraine", "Russia"),
    ("Kyiv\u2019s forces", None, "Ukraine"),
    ("Ukraine\u2019s General Staff", None, "Ukraine"),
    ("Ukrainian officials", None, "Ukraine"),
    ("the Institute for the Study of War (ISW)", None, "ISW"),
    ("Ukraine\u2019s troops", None, "Ukraine"),
    ("the think tank", None, None),
    ("The ISW", None, "ISW"),
    ("Russian military bloggers", None, "Russia"),
    ("Moscow", None, "Russia"),
    ("the Kremlin", None, "Russia"),
    ("the Russian Ministry of Defense", None, "Russia"),
]

PARTIES = [
    # Russia-Ukraine
    ("Putin's military", "Russia"), ("Kyiv's military", "Ukraine"), ("Ukraine's General Staff", "Ukraine"),
    ("Russia's Defense Ministry", "Russia"), ("Russian Ministry of Defense", "Russia"), ("Russians", "Russia"),
    ("Russia's", "Russia"), ("Konashenkov", "Russia"), ("Sergei Shoigu", "Russia"), ("Belousov", "Russia"),
    ("Gerasimov", "Russia"), ("Vladimir Putin", "Russia"), ("pro-Kremlin bloggers", "Russia"),
    ("Russian-installed officials", "Russia"), ("the DPR", "Russia"), ("Akhmat fighters", "Russia"),
    ("Zelensky", "Ukraine"), ("Zelenskyy", "Ukraine"), ("Oleksandr Syrskyi", "Ukraine"), ("Bankova", "Ukraine"),
    ("Kiev", "Ukraine"), ("Ukraine's Air Force spokesman Yuriy Ihnat", "Ukraine"), ("the SBU", "Ukraine"),
    ("Ukraine's military intelligence (HUR)", "Ukraine"), ("the 3rd Assault Brigade", "Ukraine"),
    ("North Korean troops", "North Korea"), ("Wagner fighters", "Wagner"), ("Russian-backed Wagner", "Wagner"),
    ("British Defence Intelligence", "United Kingdom"), ("the UK Ministry of Defence", "United Kingdom"),
    # Israel, Gaza, Lebanon, Iran, Yemen
    ("the IDF", "Israel"), ("Israel Defense Forces", "Israel"), ("Israeli forces", "Israel"),
    ("IDF spokesman Daniel Hagari", "Israel"), ("Netanyahu", "Israel"), ("Hamas", "Hamas"),
    ("Hamas's armed wing", "Hamas"), ("the Qassam Brigades", "Hamas"), ("Abu Obeida", "Hamas"),
    ("Gaza's health ministry", "Gaza Health Ministry"), ("the Hamas-run health ministry", "Gaza Health Ministry"),
    ("the health ministry in Gaza", "Gaza Health Ministry"), ("Palestinian Islamic Jihad", "Palestinian Islamic Jihad"),
    ("Hezbollah", "Hezbollah"), ("Hizbollah fighters", "Hezbollah"), ("the Lebanese army", "Lebanon"),
    ("Lebanon's health ministry", "Lebanon Health Ministry"), ("the IRGC", "Iran"), ("Tehran", "Iran"),
    ("Iranian forces", "Iran"), ("Yahya Saree", "Houthis"), ("the Houthis", "Houthis"), ("Houthi rebels", "Houthis"),
    ("Iran-backed Houthis", "Houthis"), ("Ansar Allah", "Houthis"), ("the Yemeni armed forces", "Houthis"),
    ("the Pentagon", "United States"), ("the U.S. military", "United States"), ("US Central Command", "United States"),
    ("the White House", "United States"), ("Washington", "United States"), ("Downing Street", "United Kingdom"),
    ("the Saudi-led coalition", "Saudi-led coalition"), ("Saudi air defenses", "Saudi Arabia"),
    # Sudan, Ethiopia, Myanmar
    ("the RSF", "RSF"), ("Rapid Support Forces", "RSF"), ("Hemedti", "RSF"), ("the Sudanese army", "Sudan"),
    ("SAF", "Sudan"), ("Burhan", "Sudan"), ("Sudan's army", "Sudan"), ("South Sudanese troops", "South Sudan"),
    ("Tigray forces", "TPLF"), ("the TPLF", "TPLF"), ("Ethiopian", "Ethiopia"), ("Eritrean", "Eritrea"),
    ("Fano militias", "Fano"), ("ENDF", "Ethiopia"),
    ("Myanmar's military", "Myanmar"), ("the Tatmadaw", "Myanmar"), ("Min Aung Hlaing", "Myanmar"),
    ("an MNDAA spokesperson", "MNDAA"), ("the TNLA", "TNLA"), ("the Arakan Army", "Arakan Army"), ("KIA", "KIA"),
    ("People's Defence Forces", "PDF"), ("the NUG", "PDF"),
    # Syria, Iraq, Turkey
    ("HTS", "HTS"), ("Hayat Tahrir al-Sham", "HTS"), ("the SDF", "SDF"), ("US-backed SDF", "SDF"),
    ("Syrian government forces", "Syria"), ("Turkish drones", "Turkey"), ("Turkiye", "Turkey"),
    ("T\u00fcrkiye", "Turkey"), ("the Syrian National Army", "SNA"), ("SNA", "SNA"), ("Islamic State", "Islamic State"),
    ("ISIS", "Islamic State"), ("Daesh", "Islamic State"), ("Iraqi forces", "Iraq"),
    ("Britain-based Syrian Observatory for Human Rights", "SOHR"), ("SOHR", "SOHR"),
    # Sahel, Congo, Somalia, Nigeria
    ("JNIM", "JNIM"), ("the Malian army", "Mali"), ("FAMa", "Mali"), ("Africa Corps", "Wagner"),
    ("Islamic State Sahel Province", "Islamic State Sahel"), ("Burkinabe soldiers", "Burkina Faso"),
    ("Nigerien troops", "Niger"), ("M23", "M23"), ("M23 rebels", "M23"), ("AFC/M23", "M23"), ("FARDC", "DR Congo"),
    ("Congolese army", "DR Congo"), ("Rwandan troops", "Rwanda"), ("al-Shabaab", "al-Shabaab"),
    ("al Shabab militants", "al-Shabaab"), ("Somali National Army", "Somalia"), ("AU peacekeepers", "ATMIS"),
    ("Boko Haram", "Boko Haram"), ("ISWAP", "ISWAP"), ("the Nigerian army", "Nigeria"),
    # Caucasus, South and Southeast Asia, Colombia
    ("Azerbaijani forces", "Azerbaijan"), ("Armenian troops", "Armenia"), ("Baku", "Azerbaijan"),
    ("the Taliban", "Taliban"), ("Zabihullah Mujahid", "Taliban"), ("ISIS-K", "ISIS-K"), ("ISKP", "ISIS-K"),
    ("Pakistani Taliban", "TTP"), ("NATO", "NATO"), ("Afghan security forces", "Afghan Republic"),
    ("Indian Army", "India"), ("ISPR", "Pakistan"), ("Pakistan's military", "Pakistan"),
    ("Thai army", "Thailand"), ("Cambodian forces", "Cambodia"), ("Maly Socheata", "Cambodia"),
    ("the ELN", "ELN"), ("FARC dissidents", "FARC dissidents"),
    # observers and outlets keep their own names
    ("the UN", "UN"), ("the U.N.", "UN"), ("United Nations", "UN"), ("OCHA", "OCHA"), ("Oryx", "Oryx"),
    ("ACLED", "ACLED"), ("Human Rights Watch", "Human Rights Watch"), ("Amnesty", "Amnesty International"),
    ("Airwars", "Airwars"), ("Mediazona", "Mediazona"), ("BBC Russian", "BBC Russian"),
    ("Russian independent outlet Mediazona", "Mediazona"), ("the Kyiv Independent", "Kyiv Independent"),
    ("TASS", "TASS"),
    # places inside a name are not the party; Russians fighting for Ukraine
    ("a US-based think tank", None), ("the Washington-based Institute for the Study of War", "ISW"),
    ("the Russian Volunteer Corps", "Ukraine"), ("Freedom of Russia Legion", "Ukraine"),
]


@pytest.mark.parametrize("text,speaker,party", SEED_PARTIES)
def test_seed_parties(text, speaker, party):
    assert canonical_party(text, speaker) == party


# Gaps the hand-written training sources showed (surfaces from data/gold/src, test split excluded).
CORPUS_PARTIES = [
    # round-4/5 writers' reports: a defence minister's surname that is an English word, full names that
    # contain another party's alias, a regional police force, a battlegroup, South Sudan's armed opposition
    ("Our gallant forces", None), ("Yoav Gallant", "Israel"),
    ("the South Sudan People's Defence Forces", "South Sudan"), ("ISIS-Somalia", "Islamic State"),
    ("The Somali Regional State's Liyu police", "Ethiopia"), ("the Yuzhnaya group", "Russia"),
    ("the Karen National Liberation Army", "KNLA"), ("Border Guard Bangladesh", "Bangladesh"), ("Danab", "Somalia"),
    ("People's Defence Forces (HPG)", "PKK"), ("the Washington Institute", "Washington Institute"), ("SPLA-IO", "SPLA-IO"), ("the White Army", "White Army"), ("New America", "New America"),
    # named commanders, officials, units and ministries of parties already listed
    ("Kharkiv governor Oleh Syniehubov", "Ukraine"), ("regional governor Ivan Fedorov", "Ukraine"),
    ("Mayor Ihor Terekhov", "Ukraine"), ("Serhiy Popko", "Ukraine"), ("Air Force commander Mykola Oleshchuk", "Ukraine"),
    ("National Security and Defence Council spokesman Andriy Lysenko", "Ukraine"), ("Lysenko", "Ukraine"),
    ("President Petro Poroshenko", "Ukraine"), ("The 3rd Separate Assault Brigade", "Ukraine"),
    ("grid operator Ukrenergo", "Ukraine"),
    ("The Coordination Headquarters for the Treatment of Prisoners of War", "Ukraine"),
    ("Sevastopol governor Mikhail Razvozhayev", "Russia"), ("Acting Kursk governor Alexei Smirnov", "Russia"),
    ("the 2nd and 41st Combined Arms Armies", "Russia"), ("the 90th Tank Division", "Russia"),
    ("the State Department", "United States"), ("Gen. Dan Caine, chairman of the Joint Chiefs of Staff", "United States"),
    ("USS Carney", "United States"), ("Defence Secretary Grant Shapps", "United Kingdom"), ("UKMTO", "United Kingdom"),
    ("the Ministry of Defence in London", "United Kingdom"), ("Defrin", "Israel"),
    ("Prime Minister Najib Mikati", "Lebanon"), ("Lebanese Health Minister Firass Abiad", "Lebanon Health Ministry"),
    ("Ministry of Health \u2013 Gaza", "Gaza Health Ministry"), ("The Ministry of Health in Gaza", "Gaza Health Ministry"),
    ("The coalition\u2019s Joint Incidents Assessment Team", "Saudi-led coalition"), ("The Giants Brigades", "Yemen"),
    ("Prime Minister Haider al-Abadi", "Iraq"),
    ("Lieutenant General Raed Shaker Jawdat, commander of the Federal Police", "Iraq"),
    ("The Kurdish Peshmerga", "Peshmerga"), ("the Kurdistan Region\u2019s Ministry of Peshmerga", "Peshmerga"),
    ("soldiers of the caliphate", "Islamic State"), ("Islamic State Mozambique (ISM)", "Islamic State"),
    ("Information Minister Khalid al-Aiser", "Sudan"), ("An army spokesman, Col. Getnet Adane", "Ethiopia"),
    ("Amhara militiamen", "Fano"), ("the True News Information Team", "Myanmar"),
    ("Border Guard Police Battalion 5", "Myanmar"), ("Karabakh Defence Army", "Artsakh"), ("Karabakh army", "Artsakh"),
    ("the Afghan Air Force", "Afghan Republic"), ("Fitna al-Khawarij", "TTP"),
    ("Colonel Sofiya Qureshi", "India"), ("Information Minister Attaullah Tarar", "Pakistan"),
    ("the Second Army Area command", "Thailand"), ("Joint Task Force Omega", "Colombia"),
    ("Defence Minister Iv\u00e1n Vel\u00e1squez", "Colombia"), ("the Jorge Su\u00e1rez Brice\u00f1o bloc", "FARC dissidents"),
    ("Kanyuka", "M23"), ("the Grey Zone channel", "Wagner"), ("units of Operation Almahaou", "Niger"),
    ("troops of Operation Hadin Kai", "Nigeria"), ("Operation Safe Haven", "Nigeria"),
    ("the Director of Defence Media Operations, Maj. Gen. Edward Buba", "Nigeria"),
    ("Chief of Army Staff Lt. Gen. Olufemi Oluyede", "Nigeria"), ("Gen. Odowaa Yusuf Rageh, the army chief", "Somalia"),
    ("The African Union Support and Stabilization Mission in Somalia", "ATMIS"),
    # parties new to the data
    ("Burundian troops", "Burundi"), ("Burundi's army", "Burundi"), ("its Burundian allies", "Burundi"),
    ("Burundian President \u00c9variste Ndayishimiye", "Burundi"), ("Ugandan", "Uganda"),
    ("President Yoweri Museveni", "Uganda"), ("The South African National Defence Force", "South Africa"),
    ("Pretoria", "South Africa"), ("Malawian", "Malawi"), ("Uruguayan", "Uruguay"),
    ("The Southern African Development Community", "SADC"), ("the FDLR", "FDLR"), ("CODECO militiamen", "CODECO"),
    ("the Za\u00efre militia", "Zaire militia"), ("Puntland's security forces", "Puntland"),
    ("Macawisley clan militias", "Macawisley"), ("The Kenya Defence Forces", "Kenya"),
    ("The Multinational Joint Task Force (MNJTF)", "MNJTF"), ("Chad's presidency", "Chad"),
    ("The Cameroonian army", "Cameroon"), ("The Mozambican Defence Armed Forces (FADM)", "Mozambique"),
    ("Lashkar-e-Taiba", "Lashkar-e-Taiba"), ("Jaish-e-Mohammed", "Jaish-e-Mohammed"),
    ("Tajik border officials", "Tajikistan"), ("Germany", "Germany"), ("the government in Berlin", "Germany"),
    ("Chancellor Friedrich Merz", "Germany"), ("Dutch Defence Minister Ruben Brekelmans", "Netherlands"),
    ("The Netherlands", "Netherlands"), ("Copenhagen", "Denmark"), ("a French security assessment", "France"),
    ("Romania's foreign ministry", "Romania"), ("Cairo's foreign ministry", "Egypt"), ("Jordan", "Jordan"),
    ("Seoul's spy agency", "South Korea"), ("Emirati officials", "United Arab Emirates"),
    ("The UAE-backed unit", "United Arab Emirates"), ("The EU naval mission Aspides", "EU"),
    ("the European Union's naval mission, Aspides", "EU"), ("the EU\u2019s Operation Aspides", "EU"),
    # observers and outlets
    ("MONUSCO", "UN"), ("UNAMA", "UN"), ("UNIFIL", "UN"), ("Danielle Bell, head of the mission", "UN"),
    ("the World Food Programme", "WFP"), ("The World Bank", "World Bank"), ("Relief International", "Relief International"),
    ("The Committee to Protect Journalists", "CPJ"), ("The OSCE Special Monitoring Mission", "OSCE"),
    ("the African Union", "African Union"), ("African Union monitors", "African Union"),
    ("the Dutch-led Joint Investigation Team", "Joint Investigation Team"), ("Magen David Adom", "Magen David Adom"),
    ("The Washington-based rights group HRANA", "HRANA"), ("state news agency SANA", "SANA"), ("IRNA", "IRNA"),
    ("Tasnim news agency", "Tasnim"), ("The Assistance Association for Political Prisoners", "AAPP"),
    ("analysts at the Institute for Strategy and Policy", "ISP-Myanmar"),
    ("the Institute for National Security Studies (INSS)", "INSS"),
    ("the Alma Research and Education Center", "Alma Research and Education Center"),
    ("Critical Threats", "Critical Threats"), ("the Kivu Security Tracker", "Kivu Security Tracker"),
    ("Cabo Ligado", "Cabo Ligado"), ("Brown University\u2019s Costs of War project", "Costs of War"),
    ("Researchers at Ghent University", "Ghent University"), ("Ombudsman Iris Mar\u00edn", "Colombian Ombudsman"),
    # round-8 writers' reports: Southeast Asian insurgencies (the Papuan army's full name contains the ELN's),
    # research institutes and agencies, officials of listed states
    ("The West Papua National Liberation Army (TPNPB)", "TPNPB"), ("the New People\u2019s Army", "NPA"),
    ("the Communist Party of the Philippines", "NPA"), ("The Armed Forces of the Philippines", "Philippines"),
    ("the Western Mindanao Command", "Philippines"), ("ASG sub-leader Pasil Bayali", "Abu Sayyaf"),
    ("Dawlah Islamiyah-Maute fighters", "Dawlah Islamiyah"), ("a BRN cell", "BRN"),
    ("Indonesian security forces", "Indonesia"), ("The Jakarta-based Institute for Policy Analysis of Conflict", "IPAC"),
    ("a senior research fellow at the Royal United Services Institute", "RUSI"),
    ("The International Institute for Strategic Studies", "IISS"),
    ("Michael Kofman, a senior fellow at the Carnegie Endowment", "Carnegie Endowment"),
    ("Analysts at the Alma Research Center", "Alma Research and Education Center"),
    ("the International Crisis Group", "International Crisis Group"), ("UNHCR", "UNHCR"),
    ("Mayor Vitali Klitschko", "Ukraine"), ("Interior Cabinet Secretary Kithure Kindiki", "Kenya"),
    ("the Internal Security Operations Command\u2019s Region 4 forward office", "Thailand"),
]


@pytest.mark.parametrize("text,party", PARTIES + CORPUS_PARTIES)
def test_canonical_party(text, party):
    assert canonical_party(text) == party


SPEAKER = [
    ("the enemy", "Ukraine", "Russia"), ("enemy troops", "Ukraine", "Russia"), ("the occupiers", "Ukraine", "Russia"),
    ("the adversary", "Ukraine", "Russia"), ("the enemy", "Russia", "Ukraine"), ("the enemy", "Hamas", "Israel"),
    ("the enemy", "RSF", "Sudan"), ("the enemy", "Israel", None),  # several opponents, no `enemy`: no guess
    ("the enemy", "ISW", None), ("the enemy", None, None),  # observers have no side
    ("its forces", "Ukraine", "Ukraine"), ("our troops", "Ukraine", "Ukraine"), ("our forces", "Israel", "Israel"),
    ("its units", "Houthis", "Houthis"), ("Units of Rocket Forces", "Ukraine", "Ukraine"),
    ("the General Staff", "Ukraine", "Ukraine"), ("the General Staff", None, None), ("its forces", None, None),
    ("its forces", "ISW", None), ("the Armed Forces", "Myanmar", "Myanmar"), ("the 47th Brigade", "Ukraine", "Ukraine"),
    # speaker given as an alias instead of the canonical name
    ("the enemy", "Kyiv", "Russia"), ("its forces", "the General Staff of the Armed Forces of Ukraine", "Ukraine"),
    # a named party beats the speaker
    ("the Russian occupiers", "Ukraine", "Russia"), ("Russian forces", "Russia", "Russia"),
    ("the Israeli enemy", "Hezbollah", "Israel"),
    # nameless speakers are not resolved from the speaker
    ("the think tank", "ISW", None), ("a spokesperson", "Ukraine", None), ("officials", "Ukraine", None),
    # "junta"/"regime" are enemy words: resolved only through a speaker with a single opponent
    ("the junta", "PDF", "Myanmar"), ("junta", "Arakan Army", "Myanmar"), ("the junta\u2019s air force", "PDF", "Myanmar"),
    ("regime", "PDF", "Myanmar"), ("the junta", "Israel", None), ("the former regime", "SOHR", None),
    ("the junta", None, None),
    # "air defence means" in a Russian MoD report are its own
    ("Air defence means", "Russia", "Russia"),
]


@pytest.mark.parametrize("text,speaker,party", SPEAKER)
def test_speaker_context(text, speaker, party):
    assert canonical_party(text, speaker) == party


@pytest.mark.parametrize("text", ["", "the think tank", "a spokesperson", "the junta", "the coalition",
                                  "Afghanistan", "Kabul", "local officials", "the militants", "Gaza",
                                  "the health ministry", "Palestinian", "rebels", "the enemy", "its forces",
                                  # ambiguous across conflicts (see the parties.yaml header)
                                  "Khawarij", "Al-Maliki", "The Federal Police", "the DHQ", "FDS", "AU mission",
                                  "The Truth Commission", "the grey zone", "MDA", "Joint Chiefs of Staff", "Tajik",
                                  "the coalition", "Nasser Hospital", "The NIS", "Brussels"])
def test_unknown_party_is_none(text):
    assert canonical_party(text) is None


@pytest.mark.parametrize("text", ["Putin\u2019s military", "Putin's military", "PUTIN'S MILITARY", "putin`s military",
                                  "Putin\u2018s military", "the Kremlin", "THE KREMLIN", "Russia\u2019s", "Russians"])
def test_party_apostrophes_and_case(text):
    assert canonical_party(text) == "Russia"


def test_houthis_possessive_plural():
    assert canonical_party("the Houthis\u2019 military spokesman") == "Houthis"
    assert canonical_party("spokesman for the Houthis") == "Houthis"


def test_yaml_data_is_consistent():
    assert check() == []


def test_check_command_line():
    result = subprocess.run([sys.executable, "-m", "ie_model.normalize.lexicon", "--check"], cwd=ROOT,
                            capture_output=True, text=True, env={"PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stdout + result.stderr


def _patched_load(monkeypatch, edit):
    from ie_model.normalize import lexicon

    real = lexicon._load

    def load(name):
        data = real(name)
        edit(name, data)
        return data

    monkeypatch.setattr(lexicon, "_load", load)
    return lexicon.check()


def test_check_finds_party_conflicts(monkeypatch):
    def edit(name, data):
        if name == "parties.yaml":
            data["parties"]["Ukraine"]["aliases"].append("the Kremlin")
            data["parties"]["Russia"]["opponents"].append("Atlantis")
    problems = "\n".join(_patched_load(monkeypatch, edit))
    assert "Kremlin" in problems and "Atlantis" in problems


def test_check_finds_category_conflicts(monkeypatch):
    def edit(name, data):
        if name == "categories.yaml":
            data["heads"]["tanks"].append("drone")
            data["heads"]["nonsense"] = ["things"]
    problems = "\n".join(_patched_load(monkeypatch, edit))
    assert "both tanks and uav" in problems and "nonsense" in problems


def test_check_finds_yaml_booleans(monkeypatch):
    def edit(name, data):
        if name == "categories.yaml":
            data["cut_words"].append(True)  # what a bare `on` becomes
    assert any("not a string" in p for p in _patched_load(monkeypatch, edit))
