//! Marketing: the lists' index and new-list form (`lists`) and a list's page (`list`); the list form
//! they share is `components::marketing_list_form`.

pub mod list;
pub mod lists;
