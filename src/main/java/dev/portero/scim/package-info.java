/**
 * SCIM 2.0 (RFC 7643, RFC 7644) at {@code /scim/v2}: Users and Groups for provisioning clients
 * such as Microsoft Entra ID and Okta, over the account and groups modules (docs/scim.md).
 */
@NullMarked
package dev.portero.scim;

import org.jspecify.annotations.NullMarked;
