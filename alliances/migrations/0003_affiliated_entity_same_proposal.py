"""Database guarantees Django cannot declare: an affiliated entity belongs to a full partner of its own proposal.

On PostgreSQL a composite foreign key keeps the partner in the same proposal, and a trigger checks its role
(and stops a partner with affiliated entities from losing its full-partner role). SQLite (the embedded
development database) relies on Participation.clean() and the services.
"""

from django.db import migrations

FORWARD = """
ALTER TABLE alliances_participation
    ADD CONSTRAINT participation_affiliated_same_proposal
    FOREIGN KEY (affiliated_to_id, proposal_id) REFERENCES alliances_participation (id, proposal_id)
    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;

CREATE FUNCTION alliances_participation_affiliation_check() RETURNS trigger AS $$
BEGIN
    IF NEW.role = 'affiliated_entity' AND NOT EXISTS (
        SELECT 1 FROM alliances_participation p
        WHERE p.id = NEW.affiliated_to_id AND p.proposal_id = NEW.proposal_id
          AND p.role IN ('applicant', 'full_partner')
    ) THEN
        RAISE EXCEPTION 'an affiliated entity must belong to a full partner of the same proposal'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'participation_affiliated_to_full_partner';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.role NOT IN ('applicant', 'full_partner')
       AND OLD.role IN ('applicant', 'full_partner') AND EXISTS (
        SELECT 1 FROM alliances_participation p WHERE p.affiliated_to_id = NEW.id
    ) THEN
        RAISE EXCEPTION 'a partner with affiliated entities must stay a full partner'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'participation_affiliated_to_full_partner';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER participation_affiliation_check
    BEFORE INSERT OR UPDATE OF role, affiliated_to_id, proposal_id ON alliances_participation
    FOR EACH ROW EXECUTE FUNCTION alliances_participation_affiliation_check();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS participation_affiliation_check ON alliances_participation;
DROP FUNCTION IF EXISTS alliances_participation_affiliation_check();
ALTER TABLE alliances_participation DROP CONSTRAINT IF EXISTS participation_affiliated_same_proposal;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("alliances", "0002_initial")]

    operations = [migrations.RunPython(forward, backward)]
