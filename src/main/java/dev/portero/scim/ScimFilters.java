package dev.portero.scim;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import com.unboundid.scim2.common.Path;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.filters.AndFilter;
import com.unboundid.scim2.common.filters.ComparisonFilter;
import com.unboundid.scim2.common.filters.ComplexValueFilter;
import com.unboundid.scim2.common.filters.ContainsFilter;
import com.unboundid.scim2.common.filters.EndsWithFilter;
import com.unboundid.scim2.common.filters.EqualFilter;
import com.unboundid.scim2.common.filters.Filter;
import com.unboundid.scim2.common.filters.FilterVisitor;
import com.unboundid.scim2.common.filters.GreaterThanFilter;
import com.unboundid.scim2.common.filters.GreaterThanOrEqualFilter;
import com.unboundid.scim2.common.filters.LessThanFilter;
import com.unboundid.scim2.common.filters.LessThanOrEqualFilter;
import com.unboundid.scim2.common.filters.NotEqualFilter;
import com.unboundid.scim2.common.filters.NotFilter;
import com.unboundid.scim2.common.filters.OrFilter;
import com.unboundid.scim2.common.filters.PresentFilter;
import com.unboundid.scim2.common.filters.StartsWithFilter;
import org.jspecify.annotations.Nullable;

import tools.jackson.databind.node.ValueNode;

/**
 * A SCIM filter (parsed by the SDK) as an SQL condition over a whitelist of attributes, every
 * value a bound parameter. What the whitelist lacks, unknown attributes included, is a 400
 * {@code invalidFilter}; so are the ordering operators ({@code gt}, {@code ge}, {@code lt},
 * {@code le}), which no attribute here supports. Text compares without case except where RFC 7643
 * makes the attribute case-exact ({@code id}, {@code externalId}) for {@code eq} and {@code ne};
 * {@code co}, {@code sw} and {@code ew} always ignore case (both engines' {@code LIKE} agree then).
 */
final class ScimFilters {

	enum Kind {
		/** Text compared without case. */
		TEXT,
		/** Text compared exactly by eq and ne. */
		EXACT,
		BOOLEAN
	}

	/**
	 * A filterable attribute: its SQL expression and, for a multi-valued attribute kept in another
	 * table, the {@code EXISTS} around the comparison ({@code %s} marks where it goes).
	 */
	record Column(String expression, Kind kind, String around) {

		Column(String expression, Kind kind) {
			this(expression, kind, "%s");
		}

	}

	/** An SQL condition and its parameters. */
	record Where(String sql, Map<String, Object> parameters) {

		static final Where ALL = new Where("1 = 1", Map.of());

	}

	/** How many comparisons and combinations one filter may hold. */
	static final int MAX_TERMS = 50;

	private final String schema;

	private final Map<String, Column> columns;

	/**
	 * @param schema the resource's core schema, which a filter may name before an attribute
	 * @param columns by attribute path ({@code userName}, {@code emails.value}), compared without case
	 */
	ScimFilters(String schema, Map<String, Column> columns) {
		this.schema = schema;
		this.columns = columns.entrySet()
			.stream()
			.collect(Collectors.toUnmodifiableMap(entry -> entry.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue));
	}

	/** The condition for {@code text}; everything when it is null or blank. */
	Where where(@Nullable String text) throws ScimException {
		if (text == null || text.isBlank()) {
			return Where.ALL;
		}
		if (text.length() > Scim.MAX_FILTER_LENGTH) {
			throw BadRequestException.invalidFilter("The filter is longer than " + Scim.MAX_FILTER_LENGTH + " characters.");
		}
		Filter filter;
		try {
			filter = Filter.fromString(text);
		}
		catch (BadRequestException ex) {
			throw BadRequestException.invalidFilter("The filter is not valid: " + ex.getMessage());
		}
		Translation translation = new Translation();
		String sql = filter.visit(translation, "");
		return new Where(sql, translation.parameters);
	}

	/** One filter's translation; {@code prefix} is the enclosing attribute inside {@code emails[...]}. */
	private final class Translation implements FilterVisitor<String, String> {

		private final Map<String, Object> parameters = new LinkedHashMap<>();

		private int terms;

		@Override
		public String visit(EqualFilter filter, String prefix) throws ScimException {
			return compare(filter, prefix, "eq");
		}

		@Override
		public String visit(NotEqualFilter filter, String prefix) throws ScimException {
			return "NOT COALESCE(" + compare(filter, prefix, "eq") + ", FALSE)";
		}

		@Override
		public String visit(ContainsFilter filter, String prefix) throws ScimException {
			return compare(filter, prefix, "co");
		}

		@Override
		public String visit(StartsWithFilter filter, String prefix) throws ScimException {
			return compare(filter, prefix, "sw");
		}

		@Override
		public String visit(EndsWithFilter filter, String prefix) throws ScimException {
			return compare(filter, prefix, "ew");
		}

		@Override
		public String visit(PresentFilter filter, String prefix) throws ScimException {
			count();
			Column column = column(filter.getAttributePath(), prefix);
			String present = column.kind() == Kind.BOOLEAN ? column.expression() + " IS NOT NULL"
					: "(" + column.expression() + " IS NOT NULL AND " + column.expression() + " <> '')";
			return column.around().formatted(present);
		}

		@Override
		public String visit(GreaterThanFilter filter, String prefix) throws ScimException {
			throw unordered(filter);
		}

		@Override
		public String visit(GreaterThanOrEqualFilter filter, String prefix) throws ScimException {
			throw unordered(filter);
		}

		@Override
		public String visit(LessThanFilter filter, String prefix) throws ScimException {
			throw unordered(filter);
		}

		@Override
		public String visit(LessThanOrEqualFilter filter, String prefix) throws ScimException {
			throw unordered(filter);
		}

		@Override
		public String visit(AndFilter filter, String prefix) throws ScimException {
			return combine(filter, prefix, " AND ");
		}

		@Override
		public String visit(OrFilter filter, String prefix) throws ScimException {
			return combine(filter, prefix, " OR ");
		}

		@Override
		public String visit(NotFilter filter, String prefix) throws ScimException {
			count();
			return "NOT COALESCE(" + filter.getInvertedFilter().visit(this, prefix) + ", FALSE)";
		}

		@Override
		public String visit(ComplexValueFilter filter, String prefix) throws ScimException {
			count();
			if (!prefix.isEmpty()) {
				throw BadRequestException.invalidFilter("A value filter cannot be nested in another.");
			}
			String attribute = name(filter.getAttributePath());
			return "(" + filter.getValueFilter().visit(this, attribute + ".") + ")";
		}

		private String combine(Filter filter, String prefix, String operator) throws ScimException {
			count();
			StringBuilder sql = new StringBuilder("(");
			for (Filter part : filter.getCombinedFilters()) {
				if (sql.length() > 1) {
					sql.append(operator);
				}
				sql.append(part.visit(this, prefix));
			}
			return sql.append(')').toString();
		}

		private String compare(ComparisonFilter filter, String prefix, String operator) throws ScimException {
			count();
			Column column = column(filter.getAttributePath(), prefix);
			ValueNode value = filter.getComparisonValue();
			String parameter = "f" + parameters.size();
			String predicate;
			if (column.kind() == Kind.BOOLEAN) {
				if (!"eq".equals(operator) || value == null || !value.isBoolean()) {
					throw BadRequestException.invalidFilter(filter.getAttributePath() + " is compared with eq or ne and true or false.");
				}
				parameters.put(parameter, value.booleanValue());
				predicate = column.expression() + " = :" + parameter;
			}
			else {
				if (value == null || !value.isString()) {
					throw BadRequestException.invalidFilter(filter.getAttributePath() + " is compared with a string.");
				}
				String text = value.stringValue();
				if ("eq".equals(operator) && column.kind() == Kind.EXACT) {
					parameters.put(parameter, text);
					predicate = column.expression() + " = :" + parameter;
				}
				else if ("eq".equals(operator)) {
					parameters.put(parameter, text.toLowerCase(Locale.ROOT));
					predicate = "LOWER(" + column.expression() + ") = :" + parameter;
				}
				else {
					String escaped = like(text.toLowerCase(Locale.ROOT));
					parameters.put(parameter, switch (operator) {
						case "co" -> "%" + escaped + "%";
						case "sw" -> escaped + "%";
						default -> "%" + escaped;
					});
					predicate = "LOWER(" + column.expression() + ") LIKE :" + parameter + " ESCAPE '\\'";
				}
			}
			return column.around().formatted(predicate);
		}

		private Column column(Path path, String prefix) throws ScimException {
			Column column = columns.get((prefix + name(path)).toLowerCase(Locale.ROOT));
			if (column == null) {
				throw BadRequestException.invalidFilter("Unknown or unfilterable attribute: " + prefix + path
						+ ". Filterable: " + String.join(", ", columns.keySet().stream().sorted().toList()) + ".");
			}
			return column;
		}

		/** The path's attribute names joined by dots, its schema (if named) checked. */
		private String name(Path path) throws ScimException {
			if (path.getSchemaUrn() != null && !path.getSchemaUrn().equalsIgnoreCase(schema)) {
				throw BadRequestException.invalidFilter("Unknown or unfilterable attribute: " + path + ".");
			}
			StringBuilder name = new StringBuilder();
			for (Path.Element element : path) {
				if (element.getValueFilter() != null) {
					throw BadRequestException.invalidFilter("A value filter is not allowed here: " + path + ".");
				}
				name.append(name.isEmpty() ? "" : ".").append(element.getAttribute());
			}
			return name.toString();
		}

		private void count() throws ScimException {
			if (++terms > MAX_TERMS) {
				throw BadRequestException.invalidFilter("The filter has more than " + MAX_TERMS + " terms.");
			}
		}

		private BadRequestException unordered(ComparisonFilter filter) {
			return BadRequestException.invalidFilter("gt, ge, lt and le are not supported (" + filter.getAttributePath() + ").");
		}

	}

	static String like(String text) {
		return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
	}

}
