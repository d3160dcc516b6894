"""Personal names for the synthetic corpus.

Source: common US given names and surnames as published in the US Census Bureau's frequently-occurring
names lists (1990 census name files, 2010 surname file); works of the US federal government are in the public
domain. Written out here by hand, lowercase. The HELD_OUT lists never appear in --split train text, so the
evaluation hears names the model has never been trained on.
"""

FIRST_NAMES = """
james john robert michael william david richard joseph thomas charles christopher daniel matthew anthony mark
donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey ryan jacob gary
nicholas eric jonathan stephen larry justin scott brandon benjamin samuel gregory alexander frank patrick raymond
jack dennis jerry tyler aaron jose adam nathan henry douglas zachary peter kyle ethan walter noah jeremy christian
keith roger terry gerald harold sean austin carl arthur lawrence dylan jesse jordan bryan billy joe bruce gabriel
logan albert willie alan juan wayne elijah randy roy vincent ralph eugene russell bobby mason philip louis
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty margaret sandra ashley
kimberly emily donna michelle carol amanda dorothy melissa deborah stephanie rebecca sharon laura cynthia kathleen
amy angela shirley anna brenda pamela emma nicole helen samantha katherine christine debra rachel carolyn janet
catherine maria heather diane ruth julie olivia joyce virginia victoria kelly lauren christina joan evelyn judith
megan andrea cheryl hannah jacqueline martha gloria teresa ann sara madison frances kathryn janice jean abigail
alice judy sophia grace denise amber doris marilyn danielle beverly isabella theresa diana natalie brittany
charlotte marie kayla alexis lori tiffany rose ella sophie chloe lily zoe nora claire lucy
ahmed mohammed omar ali hassan fatima aisha yusuf ibrahim amir priya raj anil sunita deepak arjun ravi neha
wei li chen ming yan hui jun kenji yuki hiro akira sakura min seo jin hyun carlos luis miguel pedro javier diego
sofia lucia carmen elena rosa ana pablo mateo valentina camila giovanni marco luca giulia francesca pierre
jean claude marie louise hans klaus greta ingrid lars sven olga ivan dmitri natasha sergei anya kwame kofi ama
chidi ngozi tunde amara zainab leila mei lin tomas andrzej piotr magda katarzyna siobhan niamh ciaran declan
aoife callum hamish fiona morag ewan rhys gareth bethan dafydd owen ffion
""".split()

LAST_NAMES = """
smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson
anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis robinson
walker young allen king wright scott torres nguyen hill flores green adams nelson baker hall rivera campbell
mitchell carter roberts gomez phillips evans turner diaz parker cruz edwards collins reyes stewart morris morales
murphy cook rogers gutierrez ortiz morgan cooper peterson bailey reed kelly howard ramos kim cox ward richardson
watson brooks chavez wood james bennett gray mendoza ruiz hughes price alvarez castillo sanders patel myers long
ross foster jimenez powell jenkins perry russell sullivan bell coleman butler henderson barnes gonzales fisher
vasquez simmons romero jordan patterson alexander hamilton graham reynolds griffin wallace moreno west cole hayes
bryant herrera gibson ellis tran medina aguilar stevens murray ford castro marshall owens harrison fernandez
mcdonald woods washington kennedy wells vargas henry chen freeman webb tucker guzman burns crawford olson simpson
porter hunter gordon mendez silva shaw snyder mason dixon munoz hunt hicks holmes palmer wagner black robertson
boyd rose stone salazar fox warren mills meyer rice schmidt garza daniels ferguson nichols stephens soto weaver
ryan gardner payne grant dunn kelley spencer hawkins arnold pierce vazquez hansen peters santos hart bradley
knight elliott cunningham duncan armstrong hudson carroll lane riley andrews alvarado ray delgado berry perkins
hoffman johnston matthews pena richards contreras willis carpenter lawrence sandoval guerrero george chapman rios
estrada ortega watkins greene nunez wheeler valdez harper burke larson santiago maldonado morrison franklin
carlson austin dominguez carr lawson jacobs obrien lynch singh vega bishop montgomery oliver jensen harvey
williamson gilbert dean sims espinoza howell li wong reid hanson le mccoy garrett burton fuller wang weber welch
rojas lucas marquez fields park yang little banks padilla day walsh bowman schultz luna fowler mejia davidson
acosta brewer may holland juarez newman pearson curtis cortez douglas schneider joseph barrett navarro figueroa
keller avila wade molina stanley hopkins campos barnett bates chambers caldwell beck lambert miranda byrd craig
ayala lowe frazier powers neal leonard gregory carrillo sutton fleming rhodes shelton schwartz norris jennings
watts duran walters cohen mcdaniel moran parks steele vaughn becker holt deleon barker terry hale leon hail
o'connor o'brien mcallister fitzgerald kowalski novak dubois lefebvre moreau rossi russo ferrari esposito
bianchi muller fischer schulz kaur sharma gupta kumar khan ahmed hussain okafor mensah adeyemi tanaka suzuki
watanabe yamamoto nakamura choi jung kang cho zhang liu huang zhao wu zhou xu sun ma zhu hu guo ivanov petrov
smirnov kuznetsov popescu nowak lewandowski wojcik horvath nagy jansen de vries van dijk bakker visser
""".split()

HELD_OUT_FIRST_NAMES = """
marcus desmond lionel cedric ambrose quentin barnaby rupert ignatius thaddeus leopold casimir ezekiel malachi
fergus lachlan torin bjorn anders viggo rafferty jasper silas atticus octavia imogen beatrix winifred philippa
rosalind cordelia henrietta euphemia marguerite clementine perpetua ottilie seraphina genevieve isadora
priyanka lakshmi aarav vikram rohan ishaan kavya anjali tariq karim samira yasmin soo ji hoon eun bao thi
nkechi obinna chiamaka oluwaseun adaeze kwabena abena lwazi thandiwe sipho
""".split()

HELD_OUT_LAST_NAMES = """
abernathy blackwood cartwright davenport ellsworth fairbanks gallagher hargreaves ingram jameson kingsley
lockhart macpherson northcott oakley pemberton quigley rutherford sinclair thornton underwood vandermeer
whitaker yardley zimmerman ashworth bancroft chadwick dunbar eastwood fairweather goodwin hollister
iverson kavanagh lindqvist montague nakashima okonkwo pellegrino quintero ravensworth stolz tremblay
uchida valentino wakefield xiong yamaguchi zielinski brennan castellano delacroix esterhazy fontaine
grimaldi holloway jablonski
""".split()


def _check_disjoint() -> None:
    for train, held_out, kind in ((FIRST_NAMES, HELD_OUT_FIRST_NAMES, "first"),
                                  (LAST_NAMES, HELD_OUT_LAST_NAMES, "last")):
        overlap = set(train) & set(held_out)
        if overlap:
            raise AssertionError(f"held-out {kind} names also in train: {sorted(overlap)}")


_check_disjoint()
