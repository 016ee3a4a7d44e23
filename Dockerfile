# grade serve in a container: the course folder (reference/, rubrics/; the SQLite database is
# written there unless --database names PostgreSQL) is mounted at /course.
#   docker build -t grade-serve .
#   docker run -p 8000:8000 -v "$PWD":/course grade-serve
#   docker run grade-serve tokens --roster /course/roster.csv --out /course/tokens.csv   (other subcommands: as `grade serve ...`)
FROM python:3.11-slim
WORKDIR /src
COPY pyproject.toml README.md ./
COPY grader ./grader
RUN pip install --no-cache-dir ".[service,postgresql]" && useradd --create-home grader
USER grader
VOLUME /course
EXPOSE 8000
ENV GRADER_COURSE=/course
ENTRYPOINT ["grade", "serve"]
CMD ["--host", "0.0.0.0", "--port", "8000"]
