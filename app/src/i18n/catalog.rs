//! The message catalog: one line per text, English and Serbian (Latin) side by side, so a missing
//! translation is a compile error rather than a blank on screen.

use super::Lang;

macro_rules! catalog {
    ($($key:ident => $en:literal, $sr:literal;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum M { $($key),* }
        impl M {
            pub const ALL: &'static [M] = &[$(M::$key),*];
            pub fn text(self, lang: Lang) -> &'static str {
                match lang {
                    Lang::En => match self { $(M::$key => $en),* },
                    Lang::Sr => match self { $(M::$key => $sr),* },
                }
            }
        }
    };
}

catalog! {
    AppTagline => "Sales pipeline and customers in one place", "Prodaja i kupci na jednom mestu";
    Pipeline => "Pipeline", "Prodajni levak";
    Accounts => "Accounts", "Preduzeća";
    Account => "Account", "Preduzeće";
    Contacts => "Contacts", "Kontakti";
    Opportunities => "Opportunities", "Prodajne prilike";
    Admin => "Administration", "Administracija";
    Users => "Users", "Korisnici";
    Teams => "Teams", "Timovi";
    Stages => "Pipeline stages", "Faze prodaje";
    SignIn => "Sign in", "Prijava";
    SignOut => "Sign out", "Odjava";
    Email => "Email", "E-pošta";
    Password => "Password", "Lozinka";
    Name => "Name", "Naziv";
    FullName => "Full name", "Ime i prezime";
    FirstName => "First name", "Ime";
    LastName => "Last name", "Prezime";
    Role => "Role", "Uloga";
    Team => "Team", "Tim";
    NoTeam => "No team", "Bez tima";
    Owner => "Owner", "Vlasnik";
    AnyOwner => "All owners", "Svi vlasnici";
    AnyTeam => "All teams", "Svi timovi";
    AnyRegion => "All regions", "Svi regioni";
    AnyType => "All types", "Sve vrste";
    AnyCategory => "All categories", "Sve kategorije";
    AnyStage => "All stages", "Sve faze";
    Region => "Region", "Region";
    City => "City", "Grad";
    Address => "Address", "Adresa";
    Phone => "Phone", "Telefon";
    Mobile => "Mobile", "Mobilni";
    Website => "Website", "Veb-sajt";
    Pib => "Tax ID (PIB)", "PIB";
    Mb => "Registration no. (MB)", "Matični broj (MB)";
    Industry => "Industry", "Delatnost";
    Category => "Category", "Kategorija";
    RelationshipTypes => "Relationship", "Vrsta odnosa";
    Notes => "Notes", "Napomene";
    JobTitle => "Job title", "Radno mesto";
    BuyingRole => "Role in buying", "Uloga u kupovini";
    Stage => "Stage", "Faza";
    Probability => "Probability (%)", "Verovatnoća (%)";
    Amount => "Estimated value", "Procenjena vrednost";
    Currency => "Currency", "Valuta";
    CloseDate => "Expected close date", "Očekivani datum zatvaranja";
    Source => "Source", "Izvor";
    Description => "Description", "Opis";
    PrimaryContact => "Primary contact", "Glavni kontakt";
    NoneChoice => "— none —", "— nema —";
    Search => "Search", "Pretraga";
    SearchPlaceholder => "Search by name, email, phone…", "Pretraga po nazivu, e-pošti, telefonu…";
    Filter => "Filter", "Filtriraj";
    ClearFilters => "Clear", "Poništi";
    NewAccount => "New account", "Novo preduzeće";
    NewContact => "New contact", "Novi kontakt";
    NewOpportunity => "New opportunity", "Nova prodajna prilika";
    Save => "Save", "Sačuvaj";
    Saving => "Saving…", "Čuvanje…";
    Saved => "Saved", "Sačuvano";
    Delete => "Delete", "Obriši";
    ConfirmDelete => "Delete this record? This cannot be undone.", "Obrisati ovaj zapis? Ovo se ne može poništiti.";
    Details => "Details", "Detalji";
    History => "History", "Istorija";
    NoHistory => "No changes recorded yet.", "Još nema zabeleženih izmena.";
    When => "When", "Kada";
    Who => "Who", "Ko";
    Field => "Field", "Polje";
    OldValue => "Old value", "Stara vrednost";
    NewValue => "New value", "Nova vrednost";
    Created => "created", "kreirano";
    Updated => "updated", "izmenjeno";
    Deleted => "deleted", "obrisano";
    LoadMore => "Load more", "Učitaj još";
    Loading => "Loading…", "Učitavanje…";
    NoResults => "Nothing found.", "Ništa nije pronađeno.";
    SearchShortcut => "Search (press /)", "Pretraga (taster /)";
    SearchLabel => "Search accounts, contacts and opportunities", "Pretraži preduzeća, kontakte i prilike";
    SearchEmpty => "Type a name, e-mail, phone, PIB or city.", "Upišite naziv, e-poštu, telefon, PIB ili grad.";
    SearchFirst => "The first 20 matches by name; narrow the search to see others.", "Prvih 20 pogodaka po nazivu; suzite pretragu da vidite ostale.";
    KindAccount => "Account", "Preduzeće";
    KindContact => "Contact", "Kontakt";
    KindLead => "Lead", "Potencijalni kupac";
    KindOpportunity => "Opportunity", "Prilika";
    Results => "results", "rezultata";
    Next => "Next page", "Sledeća strana";
    FirstPage => "First page", "Prva strana";
    Pagination => "Pages", "Stranice";
    SortDirection => "Sort direction", "Smer sortiranja";
    SortBy => "Sort by", "Sortiraj po";
    SortName => "Name", "Naziv";
    SortUpdated => "Last updated", "Poslednja izmena";
    SortAmount => "Value", "Vrednost";
    SortCloseDate => "Close date", "Datum zatvaranja";
    Ascending => "Ascending", "Rastuće";
    Descending => "Descending", "Opadajuće";
    From => "From", "Od";
    To => "To", "Do";
    Total => "Total", "Ukupno";
    Weighted => "Weighted", "Ponderisano";
    Overdue => "Overdue", "Kasni";
    MoveToStage => "Move to stage…", "Premesti u fazu…";
    MovedTo => "Moved to", "Premešteno u";
    BoardHint => "Drag a card to another column, or use “Move to stage…” on the card.", "Prevucite karticu u drugu kolonu ili izaberite „Premesti u fazu…“ na kartici.";
    RateNote => "Totals in RSD; 1 EUR =", "Ukupno u RSD; 1 EUR =";
    Language => "Language", "Jezik";
    SetupTitle => "Welcome to Veza — create the first administrator", "Dobro došli u Vezu — napravite prvog administratora";
    SetupIntro => "No user exists yet. The account you create here manages users, teams and the pipeline.", "Još nema korisnika. Nalog koji ovde napravite upravlja korisnicima, timovima i fazama prodaje.";
    TeamName => "Team name", "Naziv tima";
    CreateAdmin => "Create administrator", "Napravi administratora";
    Invite => "Invite user", "Dodaj korisnika";
    FirstPassword => "First password", "Početna lozinka";
    Active => "Active", "Aktivan";
    Inactive => "Inactive", "Neaktivan";
    NewTeam => "New team", "Novi tim";
    AddTeam => "Add team", "Dodaj tim";
    StageName => "Stage name", "Naziv faze";
    Kind => "Kind", "Vrsta";
    AddStage => "Add stage", "Dodaj fazu";
    MoveUp => "Move up", "Pomeri gore";
    MoveDown => "Move down", "Pomeri dole";
    NotFoundTitle => "Not found", "Nije pronađeno";
    NotFoundText => "This record does not exist or you do not have access to it.", "Ovaj zapis ne postoji ili nemate pristup njemu.";
    ConflictText => "Someone else saved this record after you opened it. Your input is kept below; reload to see their changes, then apply yours again.", "Neko drugi je sačuvao ovaj zapis nakon što ste ga otvorili. Vaš unos je sačuvan ispod; osvežite stranicu da vidite izmene, pa ponovite svoje.";
    MoveConflict => "This opportunity was changed by someone else; the board shows its current state.", "Ovu priliku je u međuvremenu izmenio neko drugi; tabla prikazuje trenutno stanje.";
    Unauthorized => "Please sign in.", "Molimo prijavite se.";
    Forbidden => "You are not allowed to do this.", "Nemate dozvolu za ovu radnju.";
    Internal => "Something went wrong on the server. Please try again.", "Došlo je do greške na serveru. Pokušajte ponovo.";
    Network => "The server could not be reached. Check the connection and try again.", "Server nije dostupan. Proverite vezu i pokušajte ponovo.";
    PRequired => "is required", "je obavezno";
    PTooLong => "is too long; at most this many characters:", "je predugačko; najviše znakova:";
    PInvalidEmail => "is not a valid email address", "nije ispravna adresa e-pošte";
    PInvalidPhone => "is not a valid phone number", "nije ispravan broj telefona";
    PInvalidUrl => "is not a valid web address", "nije ispravna veb adresa";
    PInvalidDate => "is not a valid date (use 27.11.2026. or 2026-11-27)", "nije ispravan datum (npr. 27.11.2026.)";
    PInvalidNumber => "is not a valid number", "nije ispravan broj";
    PInvalidPib => "is not a valid PIB: 9 digits with a correct check digit", "nije ispravan PIB: 9 cifara sa ispravnom kontrolnom cifrom";
    PInvalidMb => "is not a valid MB: 8 digits with a correct check digit", "nije ispravan matični broj: 8 cifara sa ispravnom kontrolnom cifrom";
    PInvalidChoice => "has a value that is not allowed", "ima nedozvoljenu vrednost";
    POutOfRange => "must be between", "mora biti između";
    PAlreadyExists => "is already in use", "je već u upotrebi";
    PPasswordTooShort => "is too short; minimum length:", "je prekratka; najmanja dužina:";
    PWrongCredentials => "Wrong email or password.", "Pogrešna e-pošta ili lozinka.";
    PTooManyAttempts => "Too many failed sign-ins. Try again in minutes:", "Previše neuspelih prijava. Pokušajte ponovo za minuta:";
    PInUse => "cannot be deleted: records depend on it:", "ne može se obrisati; zavisnih zapisa:";
    PCannotChangeSelf => "You cannot deactivate or demote yourself.", "Ne možete deaktivirati ni sniziti ulogu sami sebi.";
    And => "and", "i";
    RoleAdmin => "Administrator", "Administrator";
    RoleManager => "Manager", "Menadžer";
    RoleSales => "Salesperson", "Prodavac";
    RoleMarketing => "Marketing", "Marketing";
    RelCustomer => "Customer", "Kupac";
    RelProspect => "Prospect", "Potencijalni kupac";
    RelPartner => "Partner", "Partner";
    RelCompetitor => "Competitor", "Konkurent";
    RelDealer => "Dealer", "Diler";
    RelDistributor => "Distributor", "Distributer";
    RelSupplier => "Supplier", "Dobavljač";
    BrDecisionMaker => "Decision maker", "Donosilac odluke";
    BrInfluencer => "Influencer", "Uticajna osoba";
    BrUser => "User", "Korisnik";
    BrOther => "Other", "Ostalo";
    KindOpen => "Open", "Otvorena";
    KindWon => "Won", "Dobijena";
    KindLost => "Lost", "Izgubljena";
    ProbabilityHint => "Leave empty to follow the stage", "Ostavite prazno da prati fazu";
    ContactsOfAccount => "Contacts", "Kontakti";
    OpportunitiesOfAccount => "Opportunities", "Prodajne prilike";
    DemoBanner => "Demo data: the records shown are invented for trying Veza out.", "Demo podaci: prikazani zapisi su izmišljeni radi isprobavanja Veze.";
    Yes => "Yes", "Da";
    No => "No", "Ne";
    Actions => "Actions", "Radnje";
    SkipToContent => "Skip to content", "Preskoči na sadržaj";
    Menu => "Menu", "Meni";
    CardsShown => "shown", "prikazano";
    OpenStagesOnly => "Open stages are columns; moving to Won or Lost closes the deal.", "Kolone su otvorene faze; premeštanje u Dobijeno ili Izgubljeno zatvara posao.";
}
