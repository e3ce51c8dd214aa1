//! The emails of an invitation request, as pasted or uploaded.

use crate::{domain::Email, error::AppError};

/// The most emails one request may invite.
pub const MAX_BATCH: usize = 500;

/// Reads the emails of a pasted list or CSV (comma, semicolon or tab
/// separated, quoted cells as CSV quotes them). Bad lines are named.
pub fn parse_emails(text: &str) -> Result<Vec<Email>, AppError> {
    let mut emails: Vec<Email> = Vec::new();
    let mut bad = Vec::new();
    let mut email_column = 0;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        // Each line is read as CSV with the separator it uses most, so a
        // pasted list may mix lines of one email with lines of several.
        let delimiter = [b',', b';', b'\t']
            .into_iter()
            .rev()
            .max_by_key(|d| line.bytes().filter(|b| b == d).count())
            .unwrap_or(b',');
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .delimiter(delimiter)
            .from_reader(line.as_bytes());
        let Some(record) = reader.records().next() else { continue };
        let Ok(record) = record else {
            bad.push(format!("line {number}: not readable as CSV"));
            continue;
        };
        let cells: Vec<&str> = record.iter().collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        // A CSV header names the email column.
        if number == 1 {
            if let Some(i) = cells.iter().position(|c| c.eq_ignore_ascii_case("email")) {
                email_column = i;
                continue;
            }
        }
        // A line of only emails: each cell is one. A CSV row: its email column.
        let candidates: Vec<&str> = if cells.iter().all(|c| c.contains('@') || c.is_empty()) {
            cells.into_iter().filter(|c| !c.is_empty()).collect()
        } else {
            cells.get(email_column).copied().into_iter().collect()
        };
        for candidate in candidates {
            match Email::parse(candidate) {
                Ok(email) if !emails.contains(&email) => emails.push(email),
                Ok(_) => {}
                Err(_) => bad.push(format!("line {number}: {candidate:?}")),
            }
        }
    }
    if !bad.is_empty() {
        return Err(AppError::invalid("emails", format!("these are not emails: {}", bad.join(", "))));
    }
    if emails.is_empty() {
        return Err(AppError::invalid("emails", "give at least one email"));
    }
    if emails.len() > MAX_BATCH {
        return Err(AppError::invalid("emails", format!("invite at most {MAX_BATCH} people at once")));
    }
    Ok(emails)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_from_lists_and_csv() {
        let list = parse_emails("ada@example.com\n bob@example.com, carol@example.com\n\nada@example.com").unwrap();
        assert_eq!(list.len(), 3);
        let csv = parse_emails("name,email\nAda,ada@example.com\n\"Bob\",\"bob@example.com\"").unwrap();
        assert_eq!(csv.iter().map(Email::as_str).collect::<Vec<_>>(), ["ada@example.com", "bob@example.com"]);
        let err = parse_emails("ada@example.com\nnot-an-email").unwrap_err();
        assert!(err.field_message("emails").unwrap().contains("line 2"), "{err}");
        assert!(parse_emails("  \n ").is_err());
        // A quoted cell may hold the separator; semicolons and tabs separate too.
        let quoted = parse_emails("name,email\n\"Lovelace, Ada\",ada@example.com").unwrap();
        assert_eq!(quoted.iter().map(Email::as_str).collect::<Vec<_>>(), ["ada@example.com"]);
        let semicolons = parse_emails("email;name\nada@example.com;Ada\nbob@example.com;Bob").unwrap();
        assert_eq!(semicolons.len(), 2);
        let tabs = parse_emails("ada@example.com\tbob@example.com").unwrap();
        assert_eq!(tabs.len(), 2);
    }
}
