//! One method per OCTO endpoint, each a named shorthand for
//! [`Client::send`]; the list lives in octo-transport.

use crate::client::Client;

octo_transport::operation_methods!(Client, async);
