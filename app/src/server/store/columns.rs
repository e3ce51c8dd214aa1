//! How the domain's types are read from the text columns that hold them.

/// Types stored as text and read straight into a row's field by
/// `#[derive(sqlx::FromRow)]`: text that does not parse is a decode error
/// that quotes it.
macro_rules! text_column {
    ($($ty:ty => $parse:expr),* $(,)?) => {$(
        impl sqlx::Type<sqlx::Any> for $ty {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<sqlx::Any>>::type_info()
            }
            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Any> for $ty {
            fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <String as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
                let parse: fn(&str) -> Option<$ty> = $parse;
                parse(&text).ok_or_else(|| format!("{} cannot be {text:?}", stringify!($ty)).into())
            }
        }
    )*};
}

text_column!(
    crate::domain::UserId => |t| t.parse().ok(),
    crate::domain::Email => |t| crate::domain::Email::parse(t).ok(),
    crate::domain::UserStatus => |t| t.parse().ok(),
    crate::domain::RoleKey => |t| crate::domain::RoleKey::parse(t).ok(),
    crate::domain::TeamKey => |t| crate::domain::TeamKey::parse(t).ok(),
    crate::domain::WorkspaceKey => |t| crate::domain::WorkspaceKey::parse(t).ok(),
    super::users::PasswordOrigin => |t| super::users::PasswordOrigin::parse(t).ok(),
    // Permission keys, space-separated.
    crate::domain::PermissionSet => |t| crate::domain::PermissionSet::parse_keys(&t.split_whitespace().collect::<Vec<_>>()).ok(),
);

/// A yes/no column, stored as 0 or 1 (`bigint`) on both backends; read into
/// a `bool` field with `#[sqlx(try_from = "Flag")]`.
pub struct Flag(bool);

impl sqlx::Type<sqlx::Any> for Flag {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <i64 as sqlx::Type<sqlx::Any>>::type_info()
    }
    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <i64 as sqlx::Type<sqlx::Any>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Any> for Flag {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(Flag(<i64 as sqlx::Decode<'r, sqlx::Any>>::decode(value)? != 0))
    }
}

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}
