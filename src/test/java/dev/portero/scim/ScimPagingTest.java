package dev.portero.scim;

import com.unboundid.scim2.common.exceptions.BadRequestException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScimPagingTest {

	@Test
	void defaultsToTheFirstPageOfOneHundred() throws Exception {
		assertThat(ScimPaging.of(null, null)).isEqualTo(new ScimPaging(1, Scim.DEFAULT_COUNT));
	}

	@Test
	void countIsNeverAboveMaxResultsNorBelowZero() throws Exception {
		assertThat(ScimPaging.of("1", "201").count()).isEqualTo(Scim.MAX_RESULTS);
		assertThat(ScimPaging.of("1", "99999999999999999999999").count()).isEqualTo(Scim.MAX_RESULTS);
		assertThat(ScimPaging.of("1", "-3").count()).isZero();
	}

	@Test
	void startIndexBelowOneIsOne() throws Exception {
		assertThat(ScimPaging.of("0", "10")).isEqualTo(new ScimPaging(1, 10));
		assertThat(ScimPaging.of("-99999999999999999999", "10").offset()).isZero();
		assertThat(ScimPaging.of("11", "10").offset()).isEqualTo(10);
	}

	@Test
	void textThatIsNoNumberIsAnInvalidValue() {
		assertThatThrownBy(() -> ScimPaging.of("1", "ten")).isInstanceOfSatisfying(BadRequestException.class,
				ex -> assertThat(ex.getScimError().getScimType()).isEqualTo(BadRequestException.INVALID_VALUE));
		assertThatThrownBy(() -> ScimPaging.of("1.5", "10")).isInstanceOf(BadRequestException.class);
	}

}
