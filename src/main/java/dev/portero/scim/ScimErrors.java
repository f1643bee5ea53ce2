package dev.portero.scim;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.messages.ErrorResponse;
import com.unboundid.scim2.common.utils.JsonUtils;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

import dev.portero.web.DatabaseUnavailable;
import dev.portero.web.ProblemException;

import tools.jackson.databind.JsonNode;

/**
 * Every failure under {@code /scim/v2} in RFC 7644 3.12's form ({@code status} as a string, a
 * {@code scimType} where the RFC names one), never problem+json: SCIM clients read only this.
 * Ahead of the application's own handler, which would otherwise answer for these controllers.
 */
@RestControllerAdvice(basePackageClasses = ScimErrors.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class ScimErrors {

	private static final Logger log = LoggerFactory.getLogger(ScimErrors.class);

	@ExceptionHandler(ScimException.class)
	ResponseEntity<JsonNode> scim(ScimException ex) {
		return answer(ex.getScimError());
	}

	/**
	 * A refusal of the account or groups module, in SCIM's words: a taken name is a 409
	 * {@code uniqueness}, a refused value (a weak password) a 400 {@code invalidValue}, a
	 * directory's group a 400 {@code mutability}; the rest (the last administrator: 409) keep
	 * their status without a scimType.
	 */
	@ExceptionHandler(ProblemException.class)
	ResponseEntity<JsonNode> problem(ProblemException ex) {
		String slug = ex.type().getPath().substring(ex.type().getPath().lastIndexOf('/') + 1);
		ErrorResponse error = switch (slug) {
			case "email-taken", "group-name-taken" -> error(409, BadRequestException.UNIQUENESS, ex.getMessage());
			case "password-rejected", "invalid-group", "invalid-group-parent" ->
				error(400, BadRequestException.INVALID_VALUE, ex.getMessage());
			case "group-managed-by-directory" -> error(400, BadRequestException.MUTABILITY, ex.getMessage());
			default -> error(ex.status().value(), null, ex.getMessage());
		};
		return answer(error);
	}

	@ExceptionHandler(HttpMessageNotReadableException.class)
	ResponseEntity<JsonNode> unreadable(HttpMessageNotReadableException ex) {
		return answer(error(400, BadRequestException.INVALID_SYNTAX, "The request body is not a JSON object."));
	}

	@ExceptionHandler({ MethodArgumentTypeMismatchException.class, MissingServletRequestParameterException.class })
	ResponseEntity<JsonNode> badParameter(Exception ex) {
		return answer(error(400, BadRequestException.INVALID_VALUE, "A query parameter is missing or not valid."));
	}

	@ExceptionHandler(HttpMediaTypeNotSupportedException.class)
	ResponseEntity<JsonNode> unsupportedMediaType(HttpMediaTypeNotSupportedException ex) {
		return answer(error(415, null, "Send application/scim+json."));
	}

	@ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
	ResponseEntity<JsonNode> notAcceptable(HttpMediaTypeNotAcceptableException ex) {
		return answer(error(406, null, "Only application/scim+json is served."));
	}

	@ExceptionHandler(HttpRequestMethodNotSupportedException.class)
	ResponseEntity<JsonNode> methodNotAllowed(HttpRequestMethodNotSupportedException ex) {
		return answer(error(405, null, "This endpoint does not support " + ex.getMethod() + "."));
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<JsonNode> unexpected(Exception ex) {
		if (DatabaseUnavailable.causedBy(ex)) {
			log.warn("Database unavailable, answered 503: {}", ex.getMessage());
			return answer(error(503, null, "The service is unavailable for a moment; try again."));
		}
		log.error("Unexpected error in the SCIM API", ex);
		return answer(error(500, null, "Something went wrong on our side."));
	}

	static ErrorResponse error(int status, @Nullable String scimType, String detail) {
		ErrorResponse error = new ErrorResponse(status);
		error.setScimType(scimType);
		error.setDetail(detail);
		return error;
	}

	static ResponseEntity<JsonNode> answer(ErrorResponse error) {
		return ResponseEntity.status(error.getStatus()).contentType(Scim.MEDIA_TYPE).body(JsonUtils.valueToNode(error));
	}

	/** 401 with RFC 6750's {@code WWW-Authenticate}, and the reason as a SCIM error. */
	static void unauthenticated(HttpServletRequest request, HttpServletResponse response, AuthenticationException ex)
			throws IOException {
		if (DatabaseUnavailable.causedBy(ex)) {
			DatabaseUnavailable.write(request, response);
			return;
		}
		new BearerTokenAuthenticationEntryPoint().commence(request, response, ex);
		write(response, error(401, null, "A bearer access token with the portero:scim scope is required."));
	}

	static void forbidden(HttpServletRequest request, HttpServletResponse response, AccessDeniedException ex)
			throws IOException {
		write(response, error(403, null, "This access token lacks the portero:scim scope."));
	}

	private static void write(HttpServletResponse response, ErrorResponse error) throws IOException {
		response.setStatus(error.getStatus());
		response.setContentType(Scim.MEDIA_TYPE.toString());
		response.setCharacterEncoding("UTF-8");
		response.getWriter().write(JsonUtils.getObjectWriter().writeValueAsString(error));
	}

}
