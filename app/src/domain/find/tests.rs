use super::*;

fn cond(field: &str, op: Op, values: &[&str]) -> Node {
    Node::Cond(Cond { field: field.into(), op, values: values.iter().map(|s| s.to_string()).collect() })
}

fn query(entity: Entity, items: Vec<Node>) -> FindQuery {
    FindQuery { entity, root: Group { any: false, items }, ..Default::default() }
}

#[test]
fn a_query_travels_in_the_url_unchanged() {
    let q = query(
        Entity::Account,
        vec![
            cond("region", Op::Eq, &["Šumadija"]),
            Node::Related(Related {
                rel: "activities".into(),
                quantifier: Quantifier::HasNone,
                group: Group {
                    any: false,
                    items: vec![cond("status", Op::Eq, &["completed"]), cond("completed_at", Op::LastDays, &["90"])],
                },
                ..Default::default()
            }),
        ],
    );
    let back = FindQuery::from_param(&q.to_param()).unwrap();
    assert_eq!(back, q);
    assert!(back.check().is_ok());
    assert_eq!(back.condition_count(), 4);
}

#[test]
fn unknown_fields_and_unsuitable_operators_are_refused() {
    assert!(query(Entity::Account, vec![cond("salary", Op::Eq, &["1"])]).check().is_err());
    // Contains is a text operator, not a date one.
    assert!(query(Entity::Account, vec![cond("created_at", Op::Contains, &["2026"])]).check().is_err());
    // A contact's field on an account.
    assert!(query(Entity::Account, vec![cond("job_title", Op::Contains, &["x"])]).check().is_err());
    let bad_rel = Node::Related(Related { rel: "invoices".into(), ..Default::default() });
    assert!(query(Entity::Account, vec![bad_rel]).check().is_err());
}

#[test]
fn values_must_suit_the_type_and_the_operator() {
    let ok = |items| query(Entity::Opportunity, items).check().is_ok();
    assert!(ok(vec![cond("amount", Op::AtLeast, &["1.500.000,00"])]));
    assert!(!ok(vec![cond("amount", Op::AtLeast, &["lots"])]));
    assert!(!ok(vec![cond("amount", Op::Between, &["1"])]));
    assert!(ok(vec![cond("close_date", Op::Between, &["2026-01-01", "31.03.2026."])]));
    assert!(!ok(vec![cond("close_date", Op::Eq, &["2026-02-30"])]));
    assert!(!ok(vec![cond("close_date", Op::LastDays, &["-5"])]));
    assert!(!ok(vec![cond("close_date", Op::LastDays, &["999999999"])]));
    assert!(ok(vec![cond("close_date", Op::ThisQuarter, &[])]));
    assert!(ok(vec![cond("owner", Op::OneOf, &[ME, "12"])]));
    assert!(!ok(vec![cond("owner", Op::OneOf, &[])]));
    assert!(!ok(vec![cond("outcome", Op::Eq, &["maybe"])]));
    assert!(ok(vec![cond("outcome", Op::Eq, &["won"])]));
    assert!(ok(vec![cond("stage", Op::OneOf, &["1", "2"])]));
    assert!(!ok(vec![cond("stage", Op::OneOf, &["Proposal"])]));
}

#[test]
fn totals_need_a_relation_with_a_value_and_a_comparison() {
    let total = |rel: &str, op: Option<Op>, v: &[&str]| {
        query(
            Entity::Account,
            vec![Node::Related(Related {
                rel: rel.into(),
                quantifier: Quantifier::Total,
                group: Group { any: false, items: vec![cond("outcome", Op::Eq, &["won"])] },
                total_op: op,
                total_values: v.iter().map(|s| s.to_string()).collect(),
            })],
        )
        .check()
    };
    assert!(total("opportunities", Some(Op::AtLeast), &["1000000"]).is_ok());
    assert!(total("opportunities", None, &["1000000"]).is_err());
    assert!(total("contacts", Some(Op::AtLeast), &["1"]).is_err());
    assert!(total("opportunities", Some(Op::Contains), &["1"]).is_err());
}

#[test]
fn size_is_bounded() {
    let many: Vec<Node> = (0..MAX_CONDITIONS + 1).map(|_| cond("name", Op::Contains, &["a"])).collect();
    assert!(query(Entity::Contact, many).check().is_err());
    let mut g = Group::default();
    for _ in 0..MAX_DEPTH + 2 {
        g = Group { any: true, items: vec![Node::Group(g)] };
    }
    assert!(FindQuery { entity: Entity::Lead, root: g, ..Default::default() }.check().is_err());
    assert!(FindQuery::from_param(&"x".repeat(30_000)).is_err());
    assert!(FindQuery::from_param("{not json").is_err());
}

#[test]
fn every_field_offers_only_operators_it_supports_and_sorts_never_on_null() {
    for table in [Table::Account, Table::Contact, Table::Lead, Table::Opportunity, Table::Activity] {
        for f in fields::fields(table) {
            assert!(!f.ty.ops().is_empty(), "{}", f.key);
            if let Some((sort, _)) = f.sort {
                let plain = sort == "{t}.search_key" || !sort.contains("COALESCE") && !sort.contains("SELECT");
                assert!(plain || sort.starts_with("COALESCE("), "{}: {sort}", f.key);
            }
        }
        for r in fields::relations(table) {
            if let Some(t) = r.total {
                assert_eq!(fields::field(r.target, t).map(|f| f.ty), Some(FieldType::Money));
            }
        }
    }
}

#[test]
fn columns_and_sort_fall_back_to_defaults() {
    let mut q = FindQuery::new(Entity::Contact);
    assert_eq!(q.shown_columns().first().map(|f| f.key), Some("name"));
    assert_eq!(q.sort_field().key, "name");
    q.columns = vec!["email".into(), "nonsense".into(), "created_at".into()];
    q.sort = "owner".into(); // not sortable
    assert_eq!(q.shown_columns().iter().map(|f| f.key).collect::<Vec<_>>(), vec!["email", "created_at"]);
    assert_eq!(q.sort_field().key, "email");
}
