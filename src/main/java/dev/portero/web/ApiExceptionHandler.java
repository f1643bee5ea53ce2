package dev.portero.web;

import java.net.URI;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error of the JSON API as problem+json with a stable {@code type}. Field errors are listed
 * under {@code errors}; a database out of reach is a 503 ({@link DatabaseUnavailable}); unexpected
 * failures are logged here and answered with a bare 500.
 *
 * <p>Being a {@link ResponseEntityExceptionHandler}, it also makes Spring Boot's own problem
 * handler ({@code spring.mvc.problemdetails.enabled}) back off, so there is one source of API
 * problems: this class for requests that reached an API controller, {@link ErrorPages} for the
 * rest.
 */
@RestControllerAdvice(annotations = RestController.class)
@Order(Ordered.LOWEST_PRECEDENCE)
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

	record FieldProblem(String field, String message) {
	}

	@ExceptionHandler(ProblemException.class)
	ResponseEntity<ProblemDetail> handle(ProblemException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(ex.status(), ex.getMessage());
		problem.setType(ex.type());
		ex.properties().forEach(problem::setProperty);
		var response = ResponseEntity.status(ex.status());
		ex.retryAfter().ifPresent(wait -> response.header(HttpHeaders.RETRY_AFTER, Problems.retryAfterSeconds(wait)));
		return response.body(problem);
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<ProblemDetail> unexpected(Exception ex) {
		if (RequestSizeLimitFilter.causedByBodyTooLarge(ex)) {
			return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
				.body(Problems.of(HttpStatus.CONTENT_TOO_LARGE, "body-too-large", "The request body is too large."));
		}
		if (DatabaseUnavailable.causedBy(ex)) {
			log.warn("Database unavailable, answered 503: {}", ex.getMessage());
			return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
				.header(HttpHeaders.RETRY_AFTER, DatabaseUnavailable.retryAfterSeconds())
				.body(DatabaseUnavailable.problem());
		}
		log.error("Unexpected error in the API", ex);
		return ResponseEntity.internalServerError()
			.body(Problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Something went wrong on our side."));
	}

	@Override
	protected @Nullable ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		List<FieldProblem> errors = ex.getBindingResult()
			.getFieldErrors()
			.stream()
			.map(ApiExceptionHandler::toProblem)
			.toList();
		ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, "validation", "Some fields are not valid.");
		problem.setProperty("errors", errors);
		return ResponseEntity.badRequest().body(problem);
	}

	@Override
	protected @Nullable ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, "validation", "Some parameters are not valid.");
		problem.setProperty("errors", ex.getParameterValidationResults()
			.stream()
			.flatMap(result -> result.getResolvableErrors()
				.stream()
				.map(error -> new FieldProblem(result.getMethodParameter().getParameterName(), error.getDefaultMessage())))
			.toList());
		return ResponseEntity.badRequest().body(problem);
	}

	@Override
	protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		if (RequestSizeLimitFilter.causedByBodyTooLarge(ex)) {
			return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
				.body(Problems.of(HttpStatus.CONTENT_TOO_LARGE, "body-too-large", "The request body is too large."));
		}
		return ResponseEntity.badRequest()
			.body(Problems.of(HttpStatus.BAD_REQUEST, "malformed-body", "The request body is not valid JSON for this endpoint."));
	}

	@Override
	protected ResponseEntity<Object> createResponseEntity(@Nullable Object body, HttpHeaders headers,
			HttpStatusCode statusCode, WebRequest request) {
		// Spring's own problems (400, 405, 406, 415, ...) get a stable type too. Spring Framework 7
		// leaves their type null (6 said about:blank); either way the client would have no type.
		if (body instanceof ProblemDetail problem
				&& (problem.getType() == null || URI.create("about:blank").equals(problem.getType()))) {
			problem.setType(URI.create(ProblemException.TYPE_BASE + "http-" + statusCode.value()));
		}
		return super.createResponseEntity(body, headers, statusCode, request);
	}

	private static FieldProblem toProblem(FieldError error) {
		return new FieldProblem(error.getField(), error.getDefaultMessage());
	}

}
