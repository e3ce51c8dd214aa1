//! Lists in pages: what a caller asks for (search text, order, where to go
//! on, how many), read once for the REST API and the console alike, and the
//! page it gets back.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// `{"items":[…],"next_cursor":…}`: the cursor is set when the page is full.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
// The REST document names it `Listing_<item>`, as clients know it.
#[cfg_attr(feature = "ssr", schema(as = Listing))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass it as `cursor` for the next page; null on the last one.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// A page of `items` asked for with `limit`: the cursor (from `cursor_of`
    /// the last item) is set when the page is full, as there may be more.
    pub fn of(items: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> String) -> Self {
        let next_cursor = if items.len() as i64 == limit { items.last().map(cursor_of) } else { None };
        Self { items, next_cursor }
    }

    /// The whole list at once.
    pub fn whole(items: Vec<T>) -> Self {
        Self { items, next_cursor: None }
    }
}

/// The most a page holds, whoever asks.
pub const MAX_LIMIT: i64 = 500;

/// A list request as it arrives: text, read by [`ListParams::read`].
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListParams {
    /// Search text, for the lists that take one.
    pub q: Option<String>,
    /// The order, for the lists that offer several.
    pub sort: Option<String>,
    pub cursor: Option<String>,
    // Text, not a number: query strings flattened into another struct arrive
    // as strings (serde_urlencoded with `flatten`).
    pub limit: Option<String>,
}

/// A list request, read: what the use cases take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListQuery<O> {
    /// Search text; empty for all.
    pub q: String,
    pub order: O,
    /// The `next_cursor` of the page before.
    pub after: Option<String>,
    pub limit: i64,
}

impl ListParams {
    /// A console page's place: a blank cursor is the first page.
    pub fn at(cursor: Option<String>) -> Self {
        Self { cursor: cursor.filter(|c| !c.trim().is_empty()), ..Self::default() }
    }

    /// The cursor as the list's own key (a number, an id): absent is the
    /// first page; anything else unreadable, blank included, is a 400.
    pub fn cursor_as<T: std::str::FromStr>(&self) -> Result<Option<T>, AppError> {
        let Some(text) = self.cursor.as_deref() else { return Ok(None) };
        text.trim().parse().map(Some).map_err(|_| {
            AppError::invalid(
                "cursor",
                format!("{text:?} is not a cursor of this list: leave cursor out, or pass a next_cursor"),
            )
        })
    }

    /// How many, `default_limit` when not said: 400 on `limit` outside 1 to 500.
    pub fn limit(&self, default_limit: i64) -> Result<i64, AppError> {
        match self.limit.as_deref().map(str::parse::<i64>) {
            None => Ok(default_limit),
            Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(AppError::invalid("limit", format!("use a number from 1 to {MAX_LIMIT}"))),
        }
    }

    /// The request read, with `limit` defaulting to `default_limit`: an
    /// unknown order is a 400 on `sort`, a limit outside 1 to 500 one on `limit`.
    pub fn read<O>(&self, default_limit: i64) -> Result<ListQuery<O>, AppError>
    where
        O: std::str::FromStr<Err = String> + Default,
    {
        let order = parse_order(self.sort.as_deref())?;
        let limit = self.limit(default_limit)?;
        Ok(ListQuery {
            q: self.q.clone().unwrap_or_default(),
            order,
            after: self.cursor.clone().filter(|c| !c.is_empty()),
            limit,
        })
    }
}

/// The order of a list of named things (workspaces, teams).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NamedOrder {
    /// By key (the default).
    #[default]
    Key,
    /// By name, then key.
    Name,
}

impl std::str::FromStr for NamedOrder {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "key" => Ok(Self::Key),
            "name" => Ok(Self::Name),
            _ => Err("sort by key or name".to_owned()),
        }
    }
}

/// A list order from a request: blank means the default; anything else
/// unknown is a 400 naming `sort`.
pub fn parse_order<O: std::str::FromStr<Err = String> + Default>(sort: Option<&str>) -> Result<O, AppError> {
    match super::non_blank(sort) {
        Some(text) => text.parse().map_err(|m: String| AppError::invalid("sort", m)),
        None => Ok(O::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_page_points_past_its_last_item_and_a_short_one_ends_the_list() {
        let full = Page::of(vec![1, 2, 3], 3, |n| n.to_string());
        assert_eq!(full.next_cursor.as_deref(), Some("3"));
        let short = Page::of(vec![1, 2], 3, |n| n.to_string());
        assert_eq!(short.next_cursor, None);
    }

    #[test]
    fn a_request_reads_its_order_and_limit_or_names_the_field_it_refuses() {
        let params = ListParams { sort: Some("name".into()), limit: Some("7".into()), ..Default::default() };
        let query = params.read::<NamedOrder>(25).unwrap();
        assert_eq!((query.order, query.limit, query.after), (NamedOrder::Name, 7, None));
        assert_eq!(ListParams::default().read::<NamedOrder>(25).unwrap().limit, 25);
        for (params, field) in [
            (ListParams { sort: Some("size".into()), ..Default::default() }, "sort"),
            (ListParams { limit: Some("0".into()), ..Default::default() }, "limit"),
            (ListParams { limit: Some("many".into()), ..Default::default() }, "limit"),
        ] {
            match params.read::<NamedOrder>(25) {
                Err(AppError::Validation { fields }) => assert_eq!(fields[0].field, field),
                other => panic!("{other:?}"),
            }
        }
    }
}
